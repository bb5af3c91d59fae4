@testable import CorgiCore
import XCTest

/// The update rules against hand computations, the model's gradient against numeric
/// differentiation, and optimizer state across a save and a resume.
final class OptimizerTests: XCTestCase {
    private func parameters(_ text: String) throws -> TrainingParameters { try TrainingParameters.parse(text).get() }

    func testAdamFollowsAlgorithmOneStepByStep() throws {
        let p = try parameters("optimizer=adam, learning_rate=0.1, beta1=0.8, beta2=0.9, epsilon=0.01, l2=0.5")
        let adam = try XCTUnwrap(AdamOptimizer(parameters: p, parameterCount: 2, penalizedCount: 1, state: nil))
        var w = [1.0, -2.0]
        var m = [0.0, 0.0], v = [0.0, 0.0]
        for (t, gradientSum) in [[0.6, -0.4], [0.2, 0.8], [-1.0, 0.1]].enumerated() {
            // Hand computation: mean over 2 rows, coupled L2 on the weight only.
            var expected = w
            for i in 0..<2 {
                let g = gradientSum[i] / 2 + (i == 0 ? 0.5 * w[i] : 0)
                m[i] = 0.8 * m[i] + (1 - 0.8) * g
                v[i] = 0.9 * v[i] + (1 - 0.9) * g * g
                let mHat = m[i] / (1 - pow(0.8, Double(t + 1))), vHat = v[i] / (1 - pow(0.9, Double(t + 1)))
                expected[i] = w[i] - 0.1 * mHat / (vHat.squareRoot() + 0.01)
            }
            gradientSum.withUnsafeBufferPointer { g in
                w.withUnsafeMutableBufferPointer { adam.step(parameters: $0.baseAddress!, gradientSum: g.baseAddress!, rows: 2, learningRate: 0.1) }
            }
            XCTAssertEqual(w[0], expected[0], accuracy: 1e-15)
            XCTAssertEqual(w[1], expected[1], accuracy: 1e-15)
        }
        XCTAssertEqual(adam.state.steps, 3)
        XCTAssertEqual(adam.state.first, m)
        XCTAssertEqual(adam.state.second, v)
        // A zero gradient on an unpenalized parameter leaves it alone (no intercept stays 0).
        let fresh = try XCTUnwrap(AdamOptimizer(parameters: p, parameterCount: 2, penalizedCount: 1, state: nil))
        var z = [0.0, 0.0]
        let zero = [1.0, 0.0]
        zero.withUnsafeBufferPointer { g in
            z.withUnsafeMutableBufferPointer { fresh.step(parameters: $0.baseAddress!, gradientSum: g.baseAddress!, rows: 1, learningRate: 0.1) }
        }
        XCTAssertEqual(z[1], 0)
        XCTAssertNil(AdamOptimizer(parameters: p, parameterCount: 2, penalizedCount: 1,
                                   state: OptimizerState(steps: 1, l1Total: 0, first: [1], second: [1])))
    }

    /// The vectorized kernel (corgi_adam_step, AVX2 where the CPU has it) against the
    /// rule written out as scalar Swift, bit for bit, over 1,001 parameters (odd: a tail past the
    /// vector width), 600 of them penalized, for 20 steps.
    func testAdamKernelEqualsTheScalarRuleBitForBit() throws {
        let count = 1001, penalized = 600
        let p = try parameters("optimizer=adam, learning_rate=0.01, l2=0.001")
        let adam = try XCTUnwrap(AdamOptimizer(parameters: p, parameterCount: count, penalizedCount: penalized,
                                               state: nil))
        var generator = Xoshiro256StarStar(seed: 11)
        var w = (0..<count).map { _ in generator.nextUnitInterval() - 0.5 }
        var reference = w
        var m = [Double](repeating: 0, count: count), v = m
        for t in 1...20 {
            let gradientSum = (0..<count).map { _ in (generator.nextUnitInterval() - 0.5) * 64 }
            let c1 = 1 - pow(p.beta1, Double(t)), c2 = 1 - pow(p.beta2, Double(t))
            for i in 0..<count {
                var g = gradientSum[i] * (1 / 64.0)
                if i < penalized { g += p.l2 * reference[i] }
                m[i] = p.beta1 * m[i] + (1 - p.beta1) * g
                v[i] = p.beta2 * v[i] + (1 - p.beta2) * g * g
                reference[i] -= (0.01 / c1) * m[i] / ((v[i] * (1 / c2)).squareRoot() + p.epsilon)
            }
            gradientSum.withUnsafeBufferPointer { g in
                w.withUnsafeMutableBufferPointer { adam.step(parameters: $0.baseAddress!, gradientSum: g.baseAddress!, rows: 64, learningRate: 0.01) }
            }
        }
        XCTAssertEqual(w.map(\.bitPattern), reference.map(\.bitPattern))
    }

    func testMomentumAndSGDByHand() throws {
        let mp = try parameters("optimizer=momentum, momentum=0.5, learning_rate=0.1")
        let momentum = try XCTUnwrap(MomentumOptimizer(parameters: mp, parameterCount: 1, penalizedCount: 1, state: nil))
        var w = [1.0]
        for g in [2.0, 2.0] {
            [g].withUnsafeBufferPointer { gs in
                w.withUnsafeMutableBufferPointer { momentum.step(parameters: $0.baseAddress!, gradientSum: gs.baseAddress!, rows: 1, learningRate: 0.1) }
            }
        }
        // v1 = 2, w = 1 - 0.2 = 0.8; v2 = 0.5 * 2 + 2 = 3, w = 0.8 - 0.3 = 0.5.
        XCTAssertEqual(w[0], 0.5, accuracy: 1e-15)
        XCTAssertEqual(momentum.state.first, [3])
        let sp = try parameters("learning_rate=0.5, l2=0.2")
        let sgd = try XCTUnwrap(SGDOptimizer(parameters: sp, parameterCount: 2, penalizedCount: 1, state: nil))
        var p = [1.0, 1.0]
        [4.0, 4.0].withUnsafeBufferPointer { gs in
            p.withUnsafeMutableBufferPointer { sgd.step(parameters: $0.baseAddress!, gradientSum: gs.baseAddress!, rows: 2, learningRate: 0.5) }
        }
        // Weight: 1 * (1 - 0.1) - 0.25 * 4 = -0.1; bias: 1 - 1 = 0 (no decay).
        XCTAssertEqual(p[0], -0.1, accuracy: 1e-15)
        XCTAssertEqual(p[1], 0, accuracy: 1e-15)
    }

    func testLinearGradientsMatchNumericDifferentiation() throws {
        var g = Xoshiro256StarStar(seed: 17)
        for (kind, classes) in [(ModelKind.linear, [Double]()), (.logistic, []), (.svm, []), (.softmax, [1, 2, 5])] {
            let model = try XCTUnwrap(LinearModel(kind: kind, featureCount: 4, hasIntercept: true, classValues: classes))
            let k = model.outputs, rows = 3
            var parameters = (0..<model.parameterCount).map { _ in g.nextUnitInterval() - 0.5 }
            let inputs = (0..<(rows * 4)).map { _ in g.nextUnitInterval() * 2 - 1 }
            var targets: [Double] = []
            for r in 0..<rows {
                switch kind {
                case .softmax: targets.append(Double(r % 3))
                case .linear: targets.append(Double(r) - 1)
                default: targets.append(r % 2 == 0 ? 1.0 : -1.0)
                }
            }
            // Loss summed over the rows, and its gradient through forward/backward.
            func loss(_ p: [Double]) -> Double {
                var scores = [Double](repeating: 0, count: rows * k), d = [Double](repeating: 0, count: k), total = 0.0
                var workspace = [0.0]
                p.withUnsafeBufferPointer { pp in inputs.withUnsafeBufferPointer { x in
                    model.forward(parameters: pp.baseAddress!, inputs: x.baseAddress!, rows: rows,
                                  scores: &scores, workspace: &workspace) } }
                for r in 0..<rows {
                    total += scores[(r * k)..<(r * k + k)].withUnsafeBufferPointer { z in
                        d.withUnsafeMutableBufferPointer { Objective.lossAndGradient(kind: kind, scores: z, target: targets[r], gradient: $0) }
                    }
                }
                return total
            }
            var scores = [Double](repeating: 0, count: rows * k), dScores = [Double](repeating: 0, count: rows * k)
            var gradient = [Double](repeating: 0, count: model.parameterCount), workspace = [0.0]
            parameters.withUnsafeBufferPointer { pp in inputs.withUnsafeBufferPointer { x in
                model.forward(parameters: pp.baseAddress!, inputs: x.baseAddress!, rows: rows, scores: &scores, workspace: &workspace)
                for r in 0..<rows {
                    _ = scores[(r * k)..<(r * k + k)].withUnsafeBufferPointer { z in
                        dScores[(r * k)..<(r * k + k)].withUnsafeMutableBufferPointer {
                            Objective.lossAndGradient(kind: kind, scores: z, target: targets[r], gradient: $0) }
                    }
                }
                model.backward(parameters: pp.baseAddress!, inputs: x.baseAddress!, rows: rows, dScores: dScores,
                               gradient: &gradient, workspace: &workspace)
            } }
            for i in 0..<model.parameterCount {
                let h = 1e-6
                parameters[i] += h; let up = loss(parameters)
                parameters[i] -= 2 * h; let down = loss(parameters)
                parameters[i] += h
                XCTAssertEqual(gradient[i], (up - down) / (2 * h), accuracy: 1e-6, "\(kind.name) parameter \(i)")
            }
        }
    }

    func testAdamStateSurvivesASaveAndAResumeBitForBit() throws {
        let data = ClusteredData(rows: 1_000, dimension: 4, seed: 5)
        let p = try parameters("optimizer=adam, learning_rate=0.01, batch_size=8, seed=3")
        func pass(_ t: SGDTrainer, _ range: Range<Int>) {
            for i in range {
                if case .success(.bufferFull) = data.features[i].withUnsafeBufferPointer({ t.add(features: $0, label: data.labels[i]) }) {
                    while t.advance() {}
                }
            }
            t.finishPass(); while t.advance() {}
        }
        let whole = try SGDTrainer.make(kind: .logistic, featureCount: 4, classValues: [], parameters: p,
                                        bufferCapacity: 100, shufflesBuffer: true).get()
        pass(whole, 0..<600); pass(whole, 600..<1_000); whole.endEpoch()
        let first = try SGDTrainer.make(kind: .logistic, featureCount: 4, classValues: [], parameters: p,
                                        bufferCapacity: 100, shufflesBuffer: true).get()
        pass(first, 0..<600)
        let saved = try XCTUnwrap(first.snapshot)
        XCTAssertEqual(saved.optimizerState?.steps, 75)
        var bytes = [UInt8](repeating: 0, count: TrainerCodec.encodedSize(saved))
        _ = bytes.withUnsafeMutableBytes { TrainerCodec.encode(saved, into: $0) }
        let decoded = try bytes.withUnsafeBytes { TrainerCodec.decode($0) }.get()
        XCTAssertEqual(decoded, saved)
        let resumed = try SGDTrainer.make(from: decoded, concurrent: true).get()
        pass(resumed, 600..<1_000); resumed.endEpoch()
        XCTAssertEqual(resumed.snapshot, whole.snapshot)
        XCTAssertGreaterThan(data.accuracy(whole.model), 0.85)
        resumed.shutdown()
    }
}
