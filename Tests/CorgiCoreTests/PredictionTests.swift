@testable import CorgiCore
import XCTest

/// `LinearPredictor` (a linear model's allocation-free predict path) gives the bits of the
/// prediction taken from the scores, for every linear kind, ties and signed zeros included.
final class PredictionTests: XCTestCase {
    private func fromScores(_ m: TrainedModel, _ x: UnsafeBufferPointer<Double>) -> Double? {
        guard let z = m.scores(x) else { return nil }
        switch m.kind {
        case .linear, .svr: return z[0]
        case .logistic, .svm: return z[0] > 0 ? 1 : 0
        case .softmax:
            var best = 0
            for k in 1..<z.count where z[k] > z[best] { best = k }
            return m.classValues[best]
        }
    }

    func testPredictionEqualsPredictionFromScoresBitForBit() throws {
        var rng = Xoshiro256StarStar(seed: 20261207)
        var checked = 0
        for kind in [ModelKind.linear, .logistic, .svm, .softmax, .svr] {
            for features in [1, 3, 28] {
                let classes: [Double] = kind == .softmax ? [-2, 0.5, 7, 11] : []
                let base = try XCTUnwrap(LinearModel(kind: kind, featureCount: features, hasIntercept: true, classValues: classes))
                for trial in 0..<50 {
                    // Trial 0: all parameters zero (every score ties, -0.0 + 0.0 cases).
                    let flat = (0..<TrainedModel.linear(base).parameterCount).map { _ in trial == 0 ? 0.0 : Double.random(in: -3...3, using: &rng) }
                    let model = try XCTUnwrap(TrainedModel.linear(base).replacingParameters(flat))
                    let x = (0..<features).map { _ in trial == 1 ? -0.0 : Double.random(in: -5...5, using: &rng) }
                    try x.withUnsafeBufferPointer { row in
                        let fast = try XCTUnwrap(model.predict(row))
                        let slow = try XCTUnwrap(fromScores(model, row))
                        XCTAssertEqual(fast.bitPattern, slow.bitPattern, "\(kind) \(features) features, trial \(trial)")
                        let predictor = try XCTUnwrap(LinearPredictor(try XCTUnwrap(model.linearModel)))
                        let held = try XCTUnwrap(predictor.predict(row))
                        XCTAssertEqual(held.bitPattern, slow.bitPattern, "LinearPredictor: \(kind) \(features) features, trial \(trial)")
                        checked += 1
                    }
                }
                // A wrong feature count is nil, as scores(_:) is.
                [1.0, 2.0, 3.0, 4.0].prefix(features == 3 ? 2 : 3).withUnsafeBufferPointer {
                    XCTAssertNil(TrainedModel.linear(base).predict($0))
                    XCTAssertNil(LinearPredictor(base)?.predict($0))
                }
            }
        }
        XCTAssertEqual(checked, 5 * 3 * 50)
    }

    /// `LinearPredictor.evaluate` (the per-row path of corgi.evaluate and validation) gives
    /// `ScoringModel.evaluate`'s score, loss and prediction bit for bit, and its refusals,
    /// for every linear kind; svr's loss is its tube's (the model's margin, which
    /// `TrainedModel` forwards: it used to answer 0).
    func testEvaluationEqualsScoringModelBitForBit() throws {
        var rng = Xoshiro256StarStar(seed: 20261208)
        var checked = 0
        for kind in [ModelKind.linear, .logistic, .svm, .softmax, .svr] {
            for features in [1, 28] {
                let classes: [Double] = kind == .softmax ? [-2, 0.5, 7, 11] : []
                let shape = try XCTUnwrap(LinearModel(kind: kind, featureCount: features, hasIntercept: true, classValues: classes))
                for trial in 0..<40 {
                    let weights = (0..<shape.weights.count).map { _ in Double.random(in: -3...3, using: &rng) }
                    let intercepts = (0..<shape.intercepts.count).map { _ in Double.random(in: -1...1, using: &rng) }
                    let linear = try XCTUnwrap(LinearModel(kind: kind, featureCount: features, hasIntercept: true, classValues: classes,
                                                           weights: weights, intercepts: intercepts, lossMargin: 0.25))
                    let model = TrainedModel.linear(linear)
                    let predictor = try XCTUnwrap(LinearPredictor(linear))
                    let x = (0..<features).map { _ in Double.random(in: -5...5, using: &rng) }
                    // Labels the kind takes, and one it refuses (trial 0).
                    let label: Double
                    switch kind {
                    case .linear, .svr: label = trial == 0 ? .infinity : Double.random(in: -10...10, using: &rng)
                    case .logistic, .svm: label = trial == 0 ? 2 : [0.0, 1.0, -1.0][trial % 3]
                    case .softmax: label = trial == 0 ? 1 : classes[trial % classes.count]
                    }
                    x.withUnsafeBufferPointer { row in
                        let fast = predictor.evaluate(row, label: label)
                        let slow = model.evaluate(row, label: label)
                        switch (fast, slow) {
                        case (.success(let a), .success(let b)):
                            XCTAssertEqual(a.score.bitPattern, b.score.bitPattern, "\(kind) score, trial \(trial)")
                            XCTAssertEqual(a.loss.bitPattern, b.loss.bitPattern, "\(kind) loss, trial \(trial)")
                            XCTAssertEqual(a.predicted.bitPattern, b.predicted.bitPattern, "\(kind) prediction, trial \(trial)")
                            if kind == .svr {
                                XCTAssertEqual(a.loss, max(abs(a.score - label) - 0.25, 0), accuracy: 1e-12)
                            }
                            checked += 1
                        case (.failure(let a), .failure(let b)):
                            XCTAssertEqual(a, b)
                            XCTAssertEqual(trial, 0, "\(kind): only trial 0's label is refused")
                        default:
                            XCTFail("\(kind), trial \(trial): \(fast) against \(slow)")
                        }
                    }
                }
                // A wrong feature count is refused by both.
                [1.0, 2.0].withUnsafeBufferPointer { row in
                    if features != 2 {
                        XCTAssertEqual(try? LinearPredictor(shape)?.evaluate(row, label: 1).get().loss, nil)
                    }
                }
            }
        }
        XCTAssertEqual(checked, 5 * 2 * 39)
    }
}
