@testable import CorgiCore
import XCTest

/// Logistic regression by IRLS: MADlib's install-check cases (regress/test/logistic.sql_in,
/// their data and expected values at their tolerances, relative_error being the norm of
/// the difference over the norm) and the behaviour at the edges.
final class LogisticIRLSTests: XCTestCase {
    private func fit(_ rows: [([Double], Bool)], tolerance: Double = 1e-4, maximumSteps: Int = 20) -> (LogisticIRLS, LogisticIRLS.PassOutcome)? {
        guard let k = rows.first?.0.count, let solver = LogisticIRLS(featureCount: k) else { return nil }
        var outcome = LogisticIRLS.PassOutcome.another
        var passes = 0
        while outcome == .another && passes < 100 {
            solver.beginPass()
            for (x, y) in rows { XCTAssertTrue(x.withUnsafeBufferPointer { solver.add(features: $0, positive: y) }) }
            outcome = solver.endPass(tolerance: tolerance, maximumSteps: maximumSteps)
            passes += 1
        }
        return (solver, outcome)
    }

    private func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        let d = zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        return (d / b.map { $0 * $0 }.reduce(0, +)).squareRoot()
    }

    /// MADlib's patients case: 20 complete rows of (second_attack, treatment, anxiety).
    static let patients: [(Double, Double, Double)] = [
        (1, 1, 70), (1, 1, 80), (1, 1, 50), (1, 0, 60), (1, 0, 40), (1, 0, 65), (1, 0, 75), (1, 0, 80), (1, 0, 70), (1, 0, 60),
        (0, 1, 65), (0, 1, 50), (0, 1, 45), (0, 1, 35), (0, 1, 40), (0, 1, 50), (0, 0, 55), (0, 0, 45), (0, 0, 50), (0, 0, 60),
    ]

    func testPatientsMatchesMADlib() throws {
        let (solver, outcome) = try XCTUnwrap(fit(Self.patients.map { ([1, $0.1, $0.2], $0.0 == 1) }))
        XCTAssertEqual(outcome, .converged)
        let s = try XCTUnwrap(solver.statistics())
        XCTAssertLessThan(relativeError(s.coef, [-6.36, -1.02, 0.119]), 1e-3)
        XCTAssertLessThan(abs(s.logLikelihood + 9.41) / 9.41, 1e-3)
        XCTAssertLessThan(relativeError(s.stdErr, [3.21, 1.17, 0.0550]), 0.002)
        XCTAssertLessThan(relativeError(s.zStats, [-1.98, -0.874, 2.17]), 0.002)
        XCTAssertLessThan(relativeError(s.pValues, [0.0477, 0.382, 0.0304]), 1e-3)
        XCTAssertLessThan(relativeError(s.oddsRatios, [0.00172, 0.359, 1.13]), 0.004)
        XCTAssertLessThan(abs(s.conditionNumber - (106329 as Double).squareRoot()) / (106329 as Double).squareRoot(), 1e-2)
        XCTAssertEqual(s.rows, 20)
    }

    /// MADlib's crime case (47 states; crime rate >= 110 on five features), at its 1e-5.
    func testCrimeMatchesMADlib() throws {
        let crime: [[Double]] = [
            [79.1, 151, 1, 9.1, 56], [163.5, 143, 0, 11.3, 95], [57.8, 142, 1, 8.9, 44], [196.9, 136, 0, 12.1, 141],
            [123.4, 141, 0, 12.1, 101], [68.2, 121, 0, 11.0, 115], [96.3, 127, 1, 11.1, 79], [155.5, 131, 1, 10.9, 109],
            [85.6, 157, 1, 9.0, 62], [70.5, 140, 0, 11.8, 68], [167.4, 124, 0, 10.5, 116], [84.9, 134, 0, 10.8, 71],
            [51.1, 128, 0, 11.3, 60], [66.4, 135, 0, 11.7, 61], [79.8, 152, 1, 8.7, 53], [94.6, 142, 1, 8.8, 77],
            [53.9, 143, 0, 11.0, 63], [92.9, 135, 1, 10.4, 115], [75.0, 130, 0, 11.6, 128], [122.5, 125, 0, 10.8, 105],
            [74.2, 126, 0, 10.8, 67], [43.9, 157, 1, 8.9, 44], [121.6, 132, 0, 9.6, 83], [96.8, 131, 0, 11.6, 73],
            [52.3, 130, 0, 11.6, 57], [199.3, 131, 0, 12.1, 143], [34.2, 135, 0, 10.9, 71], [121.6, 152, 0, 11.2, 76],
            [104.3, 119, 0, 10.7, 157], [69.6, 166, 1, 8.9, 54], [37.3, 140, 0, 9.3, 54], [75.4, 125, 0, 10.9, 81],
            [107.2, 147, 1, 10.4, 64], [92.3, 126, 0, 11.8, 97], [65.3, 123, 0, 10.2, 87], [127.2, 150, 0, 10.0, 98],
            [83.1, 177, 1, 8.7, 56], [56.6, 133, 0, 10.4, 47], [82.6, 149, 1, 8.8, 54], [115.1, 145, 1, 10.4, 74],
            [88.0, 148, 0, 12.2, 66], [54.2, 141, 0, 10.9, 54], [82.3, 162, 1, 9.9, 70], [103.0, 136, 0, 12.1, 96],
            [45.5, 139, 1, 8.8, 41], [50.8, 126, 0, 10.4, 97], [84.9, 130, 0, 12.1, 91],
        ]
        let (solver, outcome) = try XCTUnwrap(fit(crime.map { ([1, $0[1], $0[2], $0[3], $0[4]], $0[0] >= 110) }))
        XCTAssertEqual(outcome, .converged)
        let s = try XCTUnwrap(solver.statistics())
        XCTAssertLessThan(relativeError(s.coef, [-17.70177, 0.0833837, -1.117091, 0.0229224, 0.0581834]), 1e-5)
        XCTAssertLessThan(abs(s.logLikelihood + 18.606959) / 18.606959, 1e-5)
        XCTAssertLessThan(relativeError(s.stdErr, [9.495993, 0.0440353, 1.359616, 0.5594047, 0.0210049]), 1e-5)
        XCTAssertLessThan(relativeError(s.zStats, [-1.864, 1.894, -0.822, 0.041, 2.770]), 1e-3)
        XCTAssertLessThan(relativeError(s.pValues, [0.062, 0.058, 0.411, 0.967, 0.006]), 1e-3)
        XCTAssertLessThan(abs(s.conditionNumber - (14513863 as Double).squareRoot()) / (14513863 as Double).squareRoot(), 1e-2)
    }

    /// Separable data: the pseudo-inverse keeps every step finite; the log-likelihood goes
    /// to 0 and the fit stops by the tolerance or the step limit, never traps.
    func testSeparableDataStopsWithoutTrapping() throws {
        let rows: [([Double], Bool)] = (0..<40).map { i in ([1, Double(i)], i >= 20) }
        let (solver, outcome) = try XCTUnwrap(fit(rows, maximumSteps: 30))
        // The log-likelihood flattens toward 0, so the tolerance stops it (no failure, no trap).
        XCTAssertEqual(outcome, .converged, "\(outcome)")
        let s = try XCTUnwrap(solver.statistics())
        XCTAssertGreaterThan(s.logLikelihood, -1e-2)
        XCTAssertTrue(s.coef.allSatisfy { $0.isFinite })
        XCTAssertTrue(s.stdErr.allSatisfy { $0.isFinite })
    }

    /// The step limit: after maximumSteps steps, one more pass evaluates the last
    /// coefficients (statistics at the reported coef).
    func testStepLimitEvaluatesTheLastCoefficients() throws {
        let rows = Self.patients.map { ([1, $0.1, $0.2], $0.0 == 1) }
        let (solver, outcome) = try XCTUnwrap(fit(rows, tolerance: 0, maximumSteps: 2))
        XCTAssertEqual(outcome, .stepLimit)
        XCTAssertEqual(solver.steps, 2)
        // A fresh solver's log-likelihood at those coefficients is the reported one.
        let s = try XCTUnwrap(solver.statistics())
        var ll = 0.0
        for (x, y) in rows {
            let z = zip(x, s.coef).reduce(0) { $0 + $1.0 * $1.1 }
            ll -= y ? Objective.softplus(-z) : Objective.softplus(z)
        }
        XCTAssertEqual(s.logLikelihood, ll, accuracy: 1e-12)
    }

    func testRefusals() throws {
        XCTAssertNil(LogisticIRLS(featureCount: 0))
        XCTAssertNil(LogisticIRLS(featureCount: 501))
        let solver = try XCTUnwrap(LogisticIRLS(featureCount: 2))
        solver.beginPass()
        XCTAssertFalse([1.0].withUnsafeBufferPointer { solver.add(features: $0, positive: true) })
        XCTAssertFalse([1.0, .nan].withUnsafeBufferPointer { solver.add(features: $0, positive: true) })
        XCTAssertEqual(solver.endPass(tolerance: 1e-4, maximumSteps: 20), .failed)
        XCTAssertNil(solver.statistics())
    }

    /// The binomial elastic net (MADlib's elastic_net_train, family binomial) against
    /// scikit-learn's LogisticRegression(l1_ratio = alpha, C = 1 / (n lambda), solver saga,
    /// tol 1e-14) on the patients rows, behind a StandardScaler for standardize (its
    /// weights brought back to the original scale): weights, intercept and objective to
    /// 1e-6 relative. Values computed with scikit-learn 1.9.1 (/tmp script in the note).
    func testBinomialElasticNetMatchesScikitLearn() throws {
        let cases: [(alpha: Double, lambda: Double, standardize: Bool, coef: [Double], objective: Double)] = [
            (0.5, 0.05, true, [-0.6518842142520754, 0.08534437545429842, -4.5928857131410314], 0.5371019277512263),
            (1.0, 0.1, true, [-0.040837124877610036, 0.06692714559842752, -3.80519560235372], 0.6117109246878989),
            (0.2, 0.02, false, [-0.6404233603651428, 0.119259616736836, -6.528547895416685], 0.47965993326825257),
        ]
        for c in cases {
            let penalty = try XCTUnwrap(ElasticNetPenalty(alpha: c.alpha, lambda: c.lambda, standardize: c.standardize))
            let solver = try XCTUnwrap(LogisticIRLS(featureCount: 3, penalty: penalty))
            var outcome = LogisticIRLS.PassOutcome.another
            while outcome == .another {
                solver.beginPass()
                for row in Self.patients {
                    XCTAssertTrue([row.1, row.2, 1].withUnsafeBufferPointer { solver.add(features: $0, positive: row.0 == 1) })
                }
                outcome = solver.endPass(tolerance: 1e-14, maximumSteps: 100)
            }
            XCTAssertEqual(outcome, .converged, "\(c)")
            XCTAssertLessThan(relativeError(solver.coef, c.coef), 1e-6, "\(c): \(solver.coef)")
            XCTAssertEqual(solver.objective, c.objective, accuracy: 1e-6 * c.objective, "\(c)")
            XCTAssertLessThan(solver.steps, 30, "IRLS with coordinate descent converges in a few steps: \(c)")
        }
        // alpha = 1 with a large lambda: every weight is 0 (the intercept fits the base rate).
        let lasso = try XCTUnwrap(LogisticIRLS(featureCount: 3, penalty: ElasticNetPenalty(alpha: 1, lambda: 10, standardize: true)))
        var outcome = LogisticIRLS.PassOutcome.another
        while outcome == .another {
            lasso.beginPass()
            for row in Self.patients { _ = [row.1, row.2, 1].withUnsafeBufferPointer { lasso.add(features: $0, positive: row.0 == 1) } }
            outcome = lasso.endPass(tolerance: 1e-12, maximumSteps: 100)
        }
        XCTAssertEqual(Array(lasso.coef[0..<2]), [0, 0])
        XCTAssertEqual(lasso.coef[2], 0, accuracy: 1e-9)   // 10 of 20 positive: log-odds 0
        XCTAssertNil(ElasticNetPenalty(alpha: 1.5, lambda: 1, standardize: true))
        XCTAssertNil(ElasticNetPenalty(alpha: 0.5, lambda: -1, standardize: true))
        XCTAssertNil(LogisticIRLS(featureCount: 1, penalty: ElasticNetPenalty(alpha: 0.5, lambda: 1, standardize: true)))
    }
}

/// A fresh state set to an exact solution: the model takes the weights, the counters the
/// passes, and the state survives encoding (it is written as a corgi.train model).
final class ExactSolutionTests: XCTestCase {
    func testSettingAnExactSolutionRoundTrips() throws {
        let parameters = try TrainingParameters.parse("", family: .linear).get()
        let trainer = try SGDTrainer.make(kind: .linear, featureCount: 2, classValues: [], parameters: parameters,
                                          bufferCapacity: 4, shufflesBuffer: true).get()
        let fresh = try XCTUnwrap(trainer.snapshot)
        let set = try fresh.settingExactSolution(weights: [1.5, -2], intercept: 0.25, rows: 10, skipped: 1, lossSum: 3, passes: 1).get()
        XCTAssertEqual(set.model.linearModel?.weights, [1.5, -2])
        XCTAssertEqual(set.model.linearModel?.intercepts, [0.25])
        XCTAssertEqual(set.epochsCompleted, 1)
        XCTAssertEqual(set.lastEpoch.rows, 10)
        XCTAssertEqual(set.lastEpoch.meanLoss, 0.3)
        var bytes = [UInt8](repeating: 0, count: TrainerCodec.encodedSize(set))
        XCTAssertNotNil(bytes.withUnsafeMutableBytes { TrainerCodec.encode(set, into: $0) })
        let decoded = try bytes.withUnsafeBytes { try TrainerCodec.decode($0).get() }
        XCTAssertEqual(decoded, set)
        // Refused: another width, a value that is not finite, a network.
        XCTAssertThrowsError(try fresh.settingExactSolution(weights: [1], intercept: 0, rows: 1, skipped: 0, lossSum: 0, passes: 1).get())
        XCTAssertThrowsError(try fresh.settingExactSolution(weights: [1, .nan], intercept: 0, rows: 1, skipped: 0, lossSum: 0, passes: 1).get())
    }
}
