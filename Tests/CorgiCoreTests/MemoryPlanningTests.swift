import CorgiCore
import XCTest

/// The memory a state will need is known from its shape before anything of that shape
/// is allocated (a 0.5.0 backend allocated 2.8 GB to learn that a network was too large,
/// and 984 MB to decode 1.2 kB that claimed one), and evaluation applies training's
/// label rule.
final class MemoryPlanningTests: XCTestCase {
    private func parameters(_ text: String, _ family: ModelFamily) throws -> TrainingParameters {
        try TrainingParameters.parse(text, family: family).get()
    }

    func testThePlanEqualsTheStateItPlans() throws {
        let cases: [(ModelFamily, Int, [Double], String)] = [
            (.linear, 7, [], ""), (.logistic, 28, [], "l1=0.01"), (.svm, 3, [], "average=false, batch_size=8"),
            (.softmax, 10, [0, 1, 2, 5], "optimizer=adam, batch_size=32"),
            (.logistic, 1000, [], "optimizer=momentum"),
            (.mlp, 28, [0, 1], "hidden_layers=[32,16]"), (.mlp, 5, [0, 1, 2], "hidden_layers=[7], optimizer=sgd, average=false"),
            (.mlpRegression, 12, [], "hidden_layers=[64], batch_size=128, optimizer=momentum"),
        ]
        for (family, features, classes, text) in cases {
            let p = try parameters(text, family)
            let plan = try XCTUnwrap(TrainerSnapshot.plannedLearner(family: family, featureCount: features,
                                                                    classCount: classes.count, parameters: p))
            let state = try XCTUnwrap(TrainerSnapshot.initial(family: family, featureCount: features, classValues: classes,
                                                              parameters: p, bufferCapacity: 10, bufferMode: .shuffle))
            XCTAssertEqual(plan.parameterCount, state.model.parameterCount, "\(family) \(text)")
            XCTAssertEqual(plan.megabytes, state.learnerMegabytes, "\(family) \(text)")
            // The serialized state, trained (its optimizer's arrays and averaged iterate
            // filled in), is within the planned size of one state copy.
            let planned = TrainerSnapshot.stateMegabytes(parameterCount: plan.parameterCount, featureCount: features,
                                                         widths: state.model.network?.widths, parameters: p)
            let trainer = try SGDTrainer.make(from: state).get()
            for i in 0..<25 {
                let x = (0..<features).map { Double(($0 + i) % 5) - 2 }
                let label = classes.isEmpty ? Double(i % 2) : classes[i % classes.count]
                if case .success(.bufferFull) = x.withUnsafeBufferPointer({ trainer.add(features: $0, label: label) }) {
                    while trainer.trainStep(maxRows: 100) {}
                }
            }
            trainer.finishPass()
            while trainer.trainStep(maxRows: 100) {}
            let trained = try XCTUnwrap(trainer.snapshot)
            let encoded = Double(TrainerCodec.encodedSize(trained)) / 1_048_576
            XCTAssertLessThanOrEqual(encoded, planned + 4096.0 / 1_048_576, "\(family) \(text)")
            XCTAssertGreaterThan(encoded, planned / 2, "\(family) \(text)")
        }
    }

    func testNetworkSizesAreComputedWithoutAllocating() throws {
        // [11000, 11000] on 5 features: 121,099,002 parameters, which a 0.5.0 backend
        // allocated (2.8 GB with the optimizer) before refusing.
        XCTAssertEqual(MultilayerPerceptron.parameterCount(widths: [5, 11000, 11000, 2]),
                       6 * 11000 + 11001 * 11000 + 11001 * 2)
        let p = try parameters("hidden_layers=[11000,11000]", .mlp)
        let plan = try XCTUnwrap(TrainerSnapshot.plannedLearner(family: .mlp, featureCount: 5, classCount: 2, parameters: p))
        XCTAssertGreaterThan(plan.megabytes, 16_000)   // refused under any cap up to 16 GB
        // Past the weight limit, or overflowing: no count, no model.
        XCTAssertNil(MultilayerPerceptron.parameterCount(widths: [1_000_000, 100_000, 2]))
        XCTAssertNil(MultilayerPerceptron.parameterCount(widths: [Int.max, 2, 2]))
        XCTAssertNil(MultilayerPerceptron.parameterCount(widths: [3]))
        XCTAssertNil(TrainerSnapshot.plannedLearner(family: .mlp, featureCount: 1_000_000,
                                                    classCount: 2, parameters: try parameters("hidden_layers=[1000]", .mlp)))
    }

    func testADecodedNetworkMustHoldTheParametersItClaims() throws {
        let p = try parameters("hidden_layers=[3]", .mlp)
        let state = try XCTUnwrap(TrainerSnapshot.initial(family: .mlp, featureCount: 2, classValues: [0, 1],
                                                          parameters: p, bufferCapacity: 10, bufferMode: .shuffle))
        var bytes = [UInt8](repeating: 0, count: TrainerCodec.encodedSize(state))
        _ = bytes.withUnsafeMutableBytes { TrainerCodec.encode(state, into: $0) }
        // The model section: activation, 1 hidden layer, width 3. Claim 100,000 units.
        let layer: [UInt8] = [1, 0, 0, 0, 3, 0, 0, 0]
        let at = try XCTUnwrap((0...(bytes.count - layer.count)).first { Array(bytes[$0..<($0 + layer.count)]) == layer })
        bytes.replaceSubrange((at + 4)..<(at + 8), with: [0xa0, 0x86, 0x01, 0x00])
        let decoded = bytes.withUnsafeBytes { TrainerCodec.decode($0) }
        guard case .failure = decoded else { return XCTFail("a 100,000-unit claim in \(bytes.count) bytes was decoded") }
    }

    func testEvaluationAppliesTrainingsLabelRule() throws {
        let logistic = try XCTUnwrap(LinearModel(kind: .logistic, featureCount: 2, hasIntercept: true))
        let softmax = try XCTUnwrap(LinearModel(kind: .softmax, featureCount: 2, hasIntercept: true, classValues: [1, 4, 9]))
        let linear = try XCTUnwrap(LinearModel(kind: .linear, featureCount: 2, hasIntercept: true))
        let x: [Double] = [0.5, -1]
        func outcome(_ m: LinearModel, _ label: Double) -> RowFailure? {
            x.withUnsafeBufferPointer { features in
                if case .failure(let f) = m.evaluate(features, label: label) { return f }
                return nil
            }
        }
        for label in [0.0, 1, -1] { XCTAssertNil(outcome(logistic, label), "\(label)") }
        for label in [3.0, 0.5, 10, .nan, .infinity] {
            XCTAssertEqual(outcome(logistic, label).map { "\($0)" }, "\(RowFailure.invalidLabel(value: label))")
        }
        for label in [1.0, 4, 9] { XCTAssertNil(outcome(softmax, label)) }
        XCTAssertEqual(outcome(softmax, 2), .invalidLabel(value: 2))
        XCTAssertNil(outcome(linear, -1e300))
        XCTAssertEqual(outcome(linear, .infinity), .invalidLabel(value: .infinity))
        // The same rule as training's: every label training takes, evaluation takes.
        for kind in ModelKind.allCases {
            let classes: [Double] = kind == .softmax ? [1, 4, 9] : []
            for label in [-1.0, 0, 1, 2, 4, 9, 0.5, .nan] {
                let m = try XCTUnwrap(LinearModel(kind: kind, featureCount: 2, hasIntercept: true, classValues: classes))
                XCTAssertEqual(outcome(m, label) == nil, kind.target(forLabel: label, classValues: classes) != nil,
                               "\(kind) \(label)")
            }
        }
    }
}

final class FiniteCheckTests: XCTestCase {
    func testFindsTheFirstValueThatIsNotFinite() {
        func first(_ values: [Double]) -> Int? { values.withUnsafeBufferPointer { FiniteCheck.firstNonFinite($0) } }
        XCTAssertNil(first([]))
        XCTAssertNil(first([0, -0.0, 1e308, -1e308, .leastNonzeroMagnitude, .greatestFiniteMagnitude]))
        XCTAssertEqual(first([1, 2, .nan]), 2)
        XCTAssertEqual(first([.infinity, .nan]), 0)
        XCTAssertEqual(first((0..<28).map { $0 == 17 ? -Double.infinity : Double($0) }), 17)
        XCTAssertEqual(first([1, Double(nan: 5, signaling: true)]), 1)
        // Every width from 0 to 70, a bad value at every place: the vectorized pass and
        // its tail agree with a plain scan.
        for n in 0...70 {
            for bad in 0..<n {
                var values = (0..<n).map { Double($0) * 1.5 - 20 }
                values[bad] = bad % 2 == 0 ? .nan : .infinity
                XCTAssertEqual(first(values), bad)
            }
        }
    }
}
