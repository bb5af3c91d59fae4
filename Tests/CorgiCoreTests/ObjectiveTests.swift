import CorgiCore
import XCTest

final class ObjectiveTests: XCTestCase {
    /// dLoss/dz from `lossAndGradient` equals a central finite difference of the loss.
    private func checkGradient(_ kind: ModelKind, scores: [Double], target: Double,
                               file: StaticString = #filePath, line: UInt = #line) {
        var gradient = [Double](repeating: .nan, count: scores.count)
        scores.withUnsafeBufferPointer { z in
            gradient.withUnsafeMutableBufferPointer { g in
                _ = Objective.lossAndGradient(kind: kind, scores: z, target: target, gradient: g)
            }
        }
        let h = 1e-6
        for k in 0..<scores.count {
            var plus = scores, minus = scores
            plus[k] += h; minus[k] -= h
            let numeric = (loss(kind, plus, target) - loss(kind, minus, target)) / (2 * h)
            XCTAssertEqual(gradient[k], numeric, accuracy: 1e-6, "\(kind) z=\(scores) k=\(k)", file: file, line: line)
        }
    }

    private func loss(_ kind: ModelKind, _ z: [Double], _ target: Double) -> Double {
        var g = [Double](repeating: 0, count: z.count)
        return z.withUnsafeBufferPointer { zp in
            g.withUnsafeMutableBufferPointer { Objective.lossAndGradient(kind: kind, scores: zp, target: target, gradient: $0) }
        }
    }

    func testGradientsMatchNumericDifferentiation() {
        var generator = Xoshiro256StarStar(seed: 11)
        for _ in 0..<200 {
            let z = (generator.nextUnitInterval() - 0.5) * 8
            checkGradient(.linear, scores: [z], target: (generator.nextUnitInterval() - 0.5) * 10)
            checkGradient(.logistic, scores: [z], target: generator.next(below: 2) == 0 ? -1 : 1)
            let t: Double = generator.next(below: 2) == 0 ? -1 : 1
            if abs(1 - t * z) > 1e-3 { checkGradient(.svm, scores: [z], target: t) }  // hinge kink
            let scores = (0..<4).map { _ in (generator.nextUnitInterval() - 0.5) * 8 }
            checkGradient(.softmax, scores: scores, target: Double(generator.next(below: 4)))
        }
    }

    /// svr: epsilon-insensitive, `max(0, |z - y| - margin)`, its subgradient `sign(z - y)`
    /// outside the tube and 0 inside; the other kinds ignore the margin.
    func testEpsilonInsensitiveLoss() {
        func lossAndGradient(_ z: Double, _ y: Double, margin: Double, kind: ModelKind = .svr) -> (Double, Double) {
            var g = [Double.nan]
            let loss = [z].withUnsafeBufferPointer { zp in
                g.withUnsafeMutableBufferPointer {
                    Objective.lossAndGradient(kind: kind, scores: zp, target: y, gradient: $0, margin: margin)
                }
            }
            return (loss, g[0])
        }
        XCTAssertTrue(lossAndGradient(3, 1, margin: 0.5) == (1.5, 1))
        XCTAssertTrue(lossAndGradient(-1, 1, margin: 0.5) == (1.5, -1))
        XCTAssertTrue(lossAndGradient(1.25, 1, margin: 0.5) == (0, 0))
        XCTAssertTrue(lossAndGradient(0.5, 1, margin: 0.5) == (0, 0))     // on the edge: inside
        XCTAssertTrue(lossAndGradient(3, 1, margin: 0) == (2, 1))         // margin 0: absolute error
        XCTAssertTrue(lossAndGradient(3, 1, margin: 0.5, kind: .linear) == (2, 2))
        var generator = Xoshiro256StarStar(seed: 12)
        for _ in 0..<200 {
            let z = (generator.nextUnitInterval() - 0.5) * 8, y = (generator.nextUnitInterval() - 0.5) * 8
            let (_, g) = lossAndGradient(z, y, margin: 0.3)
            let h = 1e-6
            if abs(abs(z - y) - 0.3) > 1e-3 {   // away from the kinks
                let numeric = (lossAndGradient(z + h, y, margin: 0.3).0 - lossAndGradient(z - h, y, margin: 0.3).0) / (2 * h)
                XCTAssertEqual(g, numeric, accuracy: 1e-6)
            }
        }
        XCTAssertEqual(ModelKind.svr.traits(classCount: 0).task, .regression)
        XCTAssertFalse(ModelKind.svr.isClassifier)
        XCTAssertEqual(ModelFamily(name: "svr")?.objective, .svr)
    }

    func testLossValuesAndStability() {
        XCTAssertEqual(loss(.linear, [3], 1), 2)
        XCTAssertEqual(loss(.logistic, [0], 1), log(2), accuracy: 1e-15)
        XCTAssertEqual(loss(.svm, [0.25], 1), 0.75)
        XCTAssertEqual(loss(.svm, [2], 1), 0)
        XCTAssertEqual(loss(.softmax, [0, 0, 0], 2), log(3), accuracy: 1e-15)
        // Huge scores neither overflow nor produce NaN.
        XCTAssertEqual(loss(.logistic, [-1000], 1), 1000, accuracy: 1e-9)
        XCTAssertEqual(loss(.logistic, [1000], 1), 0, accuracy: 1e-300)
        XCTAssertEqual(loss(.softmax, [1000, -1000, 0], 1), 2000, accuracy: 1e-9)
        XCTAssertTrue(loss(.softmax, [1e300, 1e300], 0).isFinite)
        XCTAssertEqual(Objective.sigmoid(-1000), 0, accuracy: 1e-300)
        XCTAssertEqual(Objective.sigmoid(1000), 1)
    }
}
