@testable import CorgiCore
import CorgiKernels
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class MultilayerPerceptronTests: XCTestCase {
    func testGradientsMatchNumericDifferentiationForEveryActivationAndOutput() throws {
        var g = Xoshiro256StarStar(seed: 23)
        for activation in MultilayerPerceptron.Activation.allCases {
            for (kind, classes) in [(ModelKind.softmax, [0.0, 1, 4]), (.linear, [])] {
                let net = try XCTUnwrap(MultilayerPerceptron(
                    kind: kind, featureCount: 3, hidden: [4, 3], activation: activation, classValues: classes,
                    inputShift: [0.1, -0.2, 0.3], inputScale: [2, 0.5, 1], seed: 7))
                let rows = 4, k = net.outputs
                // Random biases too: at exactly zero a relu unit sits on its kink, where the
                // numeric derivative is half the slope.
                var parameters = net.parameters.map { $0 + g.nextUnitInterval() - 0.5 }
                let inputs = (0..<(rows * 3)).map { _ in g.nextUnitInterval() * 2 - 1 }
                let targets: [Double] = (0..<rows).map { kind == .softmax ? Double($0 % 3) : Double($0) * 0.5 }
                var workspace = [Double](repeating: 0, count: net.workspaceSize(rows: rows))
                func lossAndDScores(_ p: [Double]) -> (Double, [Double]) {
                    var scores = [Double](repeating: 0, count: rows * k), d = [Double](repeating: 0, count: rows * k)
                    p.withUnsafeBufferPointer { pp in inputs.withUnsafeBufferPointer { x in
                        net.forward(parameters: pp.baseAddress!, inputs: x.baseAddress!, rows: rows,
                                    scores: &scores, workspace: &workspace) } }
                    var total = 0.0
                    for r in 0..<rows {
                        total += scores[(r * k)..<(r * k + k)].withUnsafeBufferPointer { z in
                            d[(r * k)..<(r * k + k)].withUnsafeMutableBufferPointer {
                                Objective.lossAndGradient(kind: kind, scores: z, target: targets[r], gradient: $0) } }
                    }
                    return (total, d)
                }
                let (_, dScores) = lossAndDScores(parameters)
                var gradient = [Double](repeating: 0, count: net.parameterCount)
                parameters.withUnsafeBufferPointer { pp in inputs.withUnsafeBufferPointer { x in
                    net.backward(parameters: pp.baseAddress!, inputs: x.baseAddress!, rows: rows, dScores: dScores,
                                 gradient: &gradient, workspace: &workspace) } }
                for i in 0..<net.parameterCount {
                    let h = 1e-6
                    parameters[i] += h; let up = lossAndDScores(parameters).0
                    parameters[i] -= 2 * h; let down = lossAndDScores(parameters).0
                    parameters[i] += h
                    XCTAssertEqual(gradient[i], (up - down) / (2 * h), accuracy: 1e-5,
                                   "\(activation.name) \(kind.name) parameter \(i)")
                }
            }
        }
    }

    func testInitializationIsSeededAndShapesAreValidated() throws {
        let a = try XCTUnwrap(MultilayerPerceptron(kind: .softmax, featureCount: 5, hidden: [8], activation: .relu,
                                                   classValues: [0, 1], seed: 1))
        let b = try XCTUnwrap(MultilayerPerceptron(kind: .softmax, featureCount: 5, hidden: [8], activation: .relu,
                                                   classValues: [0, 1], seed: 1))
        let c = try XCTUnwrap(MultilayerPerceptron(kind: .softmax, featureCount: 5, hidden: [8], activation: .relu,
                                                   classValues: [0, 1], seed: 2))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.parameters, c.parameters)
        XCTAssertEqual(a.parameterCount, 5 * 8 + 8 * 2 + 8 + 2)
        XCTAssertEqual(a.penalizedCount, 5 * 8 + 8 * 2)
        XCTAssertEqual(Array(a.parameters[a.penalizedCount...]), [Double](repeating: 0, count: 10), "biases start at 0")
        // He initialization: the first layer's weights have variance near 2 / fan_in.
        let big = try XCTUnwrap(MultilayerPerceptron(kind: .linear, featureCount: 50, hidden: [400], activation: .relu,
                                                     classValues: [], seed: 3))
        let first = big.parameters[0..<(50 * 400)]
        let variance = first.reduce(0) { $0 + $1 * $1 } / Double(first.count)
        XCTAssertEqual(variance, 2.0 / 50, accuracy: 0.003)
        for bad in [(ModelKind.logistic, [4], [Double]()), (.softmax, [], [0, 1]), (.softmax, [0], [0, 1]),
                    (.softmax, [4], [1]), (.linear, [4], [0, 1]), (.softmax, Array(repeating: 2, count: 17), [0, 1])] {
            XCTAssertNil(MultilayerPerceptron(kind: bad.0, featureCount: 3, hidden: bad.1, activation: .tanh,
                                              classValues: bad.2, seed: 0))
        }
        XCTAssertNil(MultilayerPerceptron(kind: .linear, featureCount: 2, hidden: [3], activation: .relu, classValues: [],
                                          inputShift: [0, 0], inputScale: [1, 0], seed: 0), "a zero scale")
    }

    func testLearnsXorWhichNoLinearModelCan() throws {
        // XOR of two feature signs, 4,000 rows.
        var g = Xoshiro256StarStar(seed: 8)
        var rows: [[Double]] = [], labels: [Double] = []
        for _ in 0..<4_000 {
            let x = [g.nextUnitInterval() * 2 - 1, g.nextUnitInterval() * 2 - 1]
            rows.append(x); labels.append((x[0] > 0) != (x[1] > 0) ? 1 : 0)
        }
        let p = try TrainingParameters.parse("optimizer=adam, learning_rate=0.01, batch_size=16, seed=4").get()
        let net = try XCTUnwrap(MultilayerPerceptron(kind: .softmax, featureCount: 2, hidden: [16], activation: .tanh,
                                                     classValues: [0, 1], seed: 4))
        let learner = try XCTUnwrap(BatchLearner(model: net, iterate: nil, parameters: p, epochsCompleted: 0,
                                                 current: EpochStatistics(), averageCount: 0, optimizerState: nil))
        for epoch in 0..<20 {
            for (x, y) in zip(rows, labels) { x.withUnsafeBufferPointer { learner.learn(row: $0.baseAddress!, target: y) } }
            learner.endPass()
            learner.epochsCompleted = epoch + 1
            learner.current = EpochStatistics()
        }
        let trained = learner.trainedModel
        var correct = 0
        for (x, y) in zip(rows, labels) where x.withUnsafeBufferPointer({ trained.predict($0) }) == y { correct += 1 }
        XCTAssertGreaterThan(Double(correct) / 4_000, 0.95)
    }

    func testANetworkStateRoundTripsAndResumesBitForBit() throws {
        let data = ClusteredData(rows: 600, dimension: 3, seed: 6)
        let p = try TrainingParameters.parse("hidden_layers=[5,4], activation=sigmoid, batch_size=7, seed=2, average=true",
                                             family: .mlp).get()
        let start = try XCTUnwrap(TrainerSnapshot.initial(family: .mlp, featureCount: 3, classValues: [0, 1], parameters: p,
                                                          bufferCapacity: 50, bufferMode: .shuffle,
                                                          inputShift: [0.1, 0, 0], inputScale: [1, 2, 1]))
        func pass(_ t: SGDTrainer, _ range: Range<Int>) {
            for i in range {
                if case .success(.bufferFull) = data.features[i].withUnsafeBufferPointer({ t.add(features: $0, label: data.labels[i]) }) {
                    while t.advance() {}
                }
            }
            t.finishPass(); while t.advance() {}
        }
        let whole = try SGDTrainer.make(from: start).get()
        pass(whole, 0..<300); pass(whole, 300..<600); whole.endEpoch()
        let first = try SGDTrainer.make(from: start).get()
        pass(first, 0..<300)
        let saved = try XCTUnwrap(first.snapshot)
        var bytes = [UInt8](repeating: 0, count: TrainerCodec.encodedSize(saved))
        XCTAssertEqual(bytes.withUnsafeMutableBytes { TrainerCodec.encode(saved, into: $0) }, bytes.count)
        let decoded = try bytes.withUnsafeBytes { TrainerCodec.decode($0) }.get()
        XCTAssertEqual(decoded, saved)
        XCTAssertEqual(decoded.family, .mlp)
        XCTAssertEqual(decoded.model.layers, [3, 5, 4, 2])
        XCTAssertEqual(decoded.parameters.normalized, saved.parameters.normalized)
        let resumed = try SGDTrainer.make(from: decoded, concurrent: true).get()
        pass(resumed, 300..<600); resumed.endEpoch()
        XCTAssertEqual(resumed.snapshot, whole.snapshot)
        resumed.shutdown()
        // Version 1 cannot hold a network.
        var v1 = [UInt8](repeating: 0, count: 65_536)
        XCTAssertNil(v1.withUnsafeMutableBytes { TrainerCodec.encodeVersion1(saved, into: $0) })
        // Every truncation is refused, every corrupted byte answered without a trap.
        for length in stride(from: 0, to: bytes.count, by: 7) {
            guard case .failure = Array(bytes[0..<length]).withUnsafeBytes({ TrainerCodec.decode($0) }) else {
                return XCTFail("truncation to \(length) accepted")
            }
        }
        for i in 0..<min(bytes.count, 400) {
            var corrupted = bytes; corrupted[i] ^= 0xFF
            _ = corrupted.withUnsafeBytes { TrainerCodec.decode($0) }
        }
    }

    /// The float32 activations (how networks train) against the math library, to float
    /// precision, extremes included; never outside [0, 1] / [-1, 1].
    func testFloatActivationsMatchTheMathLibraryToFloatPrecision() {
        var g = Xoshiro256StarStar(seed: 37)
        var zs: [Float] = [0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, 0.0499, 0.05, -0.05, 0.5, -0.5, 20, -20, 87, -87,
                           88, -88, 100, -100, 3e38, -3e38]
        for _ in 0..<20_000 { zs.append(Float((g.nextUnitInterval() * 2 - 1) * 30)) }
        for _ in 0..<20_000 { zs.append(Float((g.nextUnitInterval() * 2 - 1) * 0.2)) }
        var sig = zs, th = zs
        sig.withUnsafeMutableBufferPointer { corgi_sigmoid_f($0.baseAddress!, $0.count) }
        th.withUnsafeMutableBufferPointer { corgi_tanh_f($0.baseAddress!, $0.count) }
        for (i, z) in zs.enumerated() {
            let s = 1 / (1 + exp(-Double(z))), t = tanh(Double(z))
            XCTAssertEqual(Double(sig[i]), s, accuracy: 5e-7 * s + 1e-37, "sigmoid(\(z))")
            XCTAssertEqual(Double(th[i]), t, accuracy: 5e-7 * abs(t) + 1e-37, "tanh(\(z))")
            XCTAssertTrue(sig[i] >= 0 && sig[i] <= 1 && abs(th[i]) <= 1)
        }
    }

    /// The float32 passes a network trains with give the float64 gradient to float
    /// precision (relative 1e-4 of the largest component), for every activation and output.
    func testFloatPassesMatchTheDoublePasses() throws {
        var g = Xoshiro256StarStar(seed: 41)
        for activation in MultilayerPerceptron.Activation.allCases {
            for (kind, classes) in [(ModelKind.softmax, [0.0, 1, 4]), (.linear, [])] {
                let net = try XCTUnwrap(MultilayerPerceptron(
                    kind: kind, featureCount: 5, hidden: [16, 8], activation: activation, classValues: classes,
                    inputShift: [0.1, -0.2, 0.3, 0, 1], inputScale: [2, 0.5, 1, 1, 3], seed: 9))
                XCTAssertTrue(net.trainsInFloat32)
                let rows = 33, k = net.outputs, count = net.parameterCount
                let parameters = net.parameters.map { $0 + (g.nextUnitInterval() - 0.5) * 0.1 }
                let inputs = (0..<(rows * 5)).map { _ in g.nextUnitInterval() * 2 - 1 }
                let dScores = (0..<(rows * k)).map { _ in g.nextUnitInterval() - 0.5 }
                var scores = [Double](repeating: 0, count: rows * k), gradient = [Double](repeating: 0, count: count)
                var workspace = [Double](repeating: 0, count: net.workspaceSize(rows: rows))
                net.forward(parameters: parameters, inputs: inputs, rows: rows, scores: &scores, workspace: &workspace)
                net.backward(parameters: parameters, inputs: inputs, rows: rows, dScores: dScores, gradient: &gradient,
                             workspace: &workspace)
                let p32 = parameters.map(Float.init), x32 = inputs.map(Float.init), d32 = dScores.map(Float.init)
                var scores32 = [Float](repeating: 0, count: rows * k), gradient32 = [Float](repeating: 0, count: count)
                var workspace32 = [Float](repeating: 0, count: net.workspaceSize(rows: rows))
                net.forward(parameters: p32, inputs: x32, rows: rows, scores: &scores32, workspace: &workspace32)
                net.backward(parameters: p32, inputs: x32, rows: rows, dScores: d32, gradient: &gradient32,
                             workspace: &workspace32)
                let scoreScale = scores.map(abs).max() ?? 1, gradientScale = gradient.map(abs).max() ?? 1
                for i in 0..<(rows * k) {
                    XCTAssertEqual(Double(scores32[i]), scores[i], accuracy: 1e-4 * scoreScale, "\(activation) score \(i)")
                }
                for i in 0..<count {
                    XCTAssertEqual(Double(gradient32[i]), gradient[i], accuracy: 1e-4 * gradientScale,
                                   "\(activation.name) \(kind.name) parameter \(i)")
                }
            }
        }
    }

    func testCorgisOwnExpMatchesTheMathLibrary() {
        var g = Xoshiro256StarStar(seed: 31)
        var zs: [Double] = [0, -0.0, 1e-300, -1e-300, 1e-8, -1e-8, 0.0999, 0.1, -0.1, 0.5, -0.5, 20, -20, 36.7, -36.7,
                            700, -700, 745, -745, 1e308, -1e308]
        for _ in 0..<20_000 { zs.append((g.nextUnitInterval() * 2 - 1) * 60) }
        for _ in 0..<20_000 { zs.append((g.nextUnitInterval() * 2 - 1) * 0.3) }
        var sig = zs, th = zs
        sig.withUnsafeMutableBufferPointer { corgi_sigmoid($0.baseAddress!, $0.count) }
        th.withUnsafeMutableBufferPointer { corgi_tanh($0.baseAddress!, $0.count) }
        for (i, z) in zs.enumerated() {
            let s = 1 / (1 + exp(-z)), t = tanh(z)
            XCTAssertEqual(sig[i], s, accuracy: 2e-15 * s + 1e-303, "sigmoid(\(z))")
            XCTAssertEqual(th[i], t, accuracy: 2e-15 * abs(t) + 1e-303, "tanh(\(z))")
            XCTAssertTrue(sig[i] >= 0 && sig[i] <= 1 && abs(th[i]) <= 1)
        }
    }
}
