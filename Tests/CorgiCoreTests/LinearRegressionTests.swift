@testable import CorgiCore
import XCTest

/// The exact least-squares solver: MADlib's install-check cases (their data and expected
/// values, `regress/test/linear.sql_in`) and statsmodels' numbers on the same data, plus
/// the edge cases MADlib's users meet (rank deficiency, one row, refused input).
final class LinearRegressionTests: XCTestCase {
    /// MADlib's `houses` table: (tax, bedroom, bath, price, size, lot).
    static let houses: [[Double]] = [
        [590, 2, 1, 50000, 770, 22100], [1050, 3, 2, 85000, 1410, 12000], [20, 3, 1, 22500, 1060, 3500],
        [870, 2, 2, 90000, 1300, 17500], [1320, 3, 2, 133000, 1500, 30000], [1350, 2, 1, 90500, 820, 25700],
        [2790, 3, 2.5, 260000, 2130, 25000], [680, 2, 1, 142500, 1170, 22000], [1840, 3, 2, 160000, 1500, 19000],
        [3680, 4, 2, 240000, 2790, 20000], [1660, 3, 1, 87000, 1030, 17500], [1620, 3, 2, 118600, 1250, 20000],
        [3100, 3, 2, 140000, 1760, 38000], [2070, 2, 3, 148000, 1550, 14000], [650, 3, 1.5, 65000, 1450, 12000],
    ]

    private func fit(_ rows: [([Double], Double)]) -> LinearRegressionFit? {
        guard let k = rows.first?.0.count, let equations = NormalEquations(featureCount: k) else { return nil }
        for (x, y) in rows { XCTAssertTrue(x.withUnsafeBufferPointer { equations.add(features: $0, target: y) }) }
        return equations.solve()
    }

    private func assertClose(_ got: [Double]?, _ expected: [Double], _ tolerance: Double, _ what: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        guard let got, got.count == expected.count else { return XCTFail("\(what): \(String(describing: got))", file: file, line: line) }
        for (g, e) in zip(got, expected) {
            XCTAssertLessThan(abs(g - e) / abs(e), tolerance, "\(what): got \(got), expected \(expected)", file: file, line: line)
        }
    }

    /// `linregr(price, array[1, bedroom, bath, size])`: MADlib's expected values (1e-4),
    /// and statsmodels' OLS on the same rows (1e-9).
    func testHousesMatchesMADlibAndStatsmodels() throws {
        let result = try XCTUnwrap(fit(Self.houses.map { ([1, $0[1], $0[2], $0[4]], $0[3]) }))
        assertClose(result.coef, [27923.43, -35524.78, 2269.34, 130.79], 1e-4, "coef (MADlib)")
        assertClose([result.r2], [0.74537], 1e-3, "r2 (MADlib)")
        assertClose(result.stdErr, [56306, 25037, 22208, 36.209], 1e-4, "std_err (MADlib)")
        assertClose(result.tStats, [0.49592, -1.4189, 0.10218, 3.6122], 1e-4, "t_stats (MADlib)")
        assertClose(result.pValues, [0.62971, 0.18363, 0.92045, 0.0040816], 1e-4, "p_values (MADlib)")
        assertClose([result.conditionNumber], [9783.0184], 1e-4, "condition_no (MADlib)")
        assertClose(result.coef, [27923.43320857, -35524.77522635, 2269.34397931, 130.79392009], 1e-9, "coef (statsmodels)")
        assertClose([result.r2], [0.7453740099928281], 1e-9, "r2 (statsmodels)")
        assertClose(result.pValues, [0.62971107, 0.18363316, 0.92045051, 0.00408159], 1e-6, "p (statsmodels)")
        XCTAssertEqual(result.rank, 4)
        XCTAssertEqual(result.rows, 15)
        // variance_covariance is symmetric and its diagonal is std_err squared.
        let v = try XCTUnwrap(result.varianceCovariance)
        let e = try XCTUnwrap(result.stdErr)
        for i in 0..<4 {
            XCTAssertEqual(v[i * 4 + i].squareRoot(), e[i], accuracy: e[i] * 1e-12)
            for j in 0..<4 { XCTAssertEqual(v[i * 4 + j], v[j * 4 + i]) }
        }
    }

    /// MADlib's weibull.com case (17 complete rows): coef, t_stats, p_values.
    func testWeibullMatchesMADlib() throws {
        let rows: [(Double, Double, Double)] = [
            (41.9, 29.1, 251.3), (43.4, 29.3, 251.3), (43.9, 29.5, 248.3), (44.5, 29.7, 267.5), (47.3, 29.9, 273.0),
            (47.5, 30.3, 276.5), (47.9, 30.5, 270.3), (50.2, 30.7, 274.9), (52.8, 30.8, 285.0), (53.2, 30.9, 290.0),
            (56.7, 31.5, 297.0), (57.0, 31.7, 302.5), (63.5, 31.9, 304.5), (65.3, 32.0, 309.3), (71.1, 32.1, 321.7),
            (77.0, 32.5, 330.7), (77.8, 32.9, 349.0),
        ]
        let result = try XCTUnwrap(fit(rows.map { ([1, $0.0, $0.1], $0.2) }))
        // MADlib's relative_error of the vectors (the norm of the difference over the norm).
        let difference = zip(result.coef, [-153.51, 1.24, 12.08]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
        XCTAssertLessThan((difference / (153.51 * 153.51 + 1.24 * 1.24 + 12.08 * 12.08)).squareRoot(), 1e-4, "coef \(result.coef)")
        assertClose(result.tStats.map { Array($0[1...]) }, [3.1393, 3.0726], 1e-4, "t_stats")
        assertClose(result.pValues.map { [$0[2]] }, [0.0083], 1e-2, "p_values[3]")
    }

    /// Breusch-Pagan in Koenker's form: MADlib's `bp_stats` 2.5451 / p 0.467192 for the
    /// bedroom = 2 group of `linregr_train(..., 'array[1, tax, bath, size]', 'bedroom', true)`,
    /// and the group's coefficients (statsmodels: het_breuschpagan(robust=True)).
    func testBreuschPaganMatchesMADlib() throws {
        let group = Self.houses.filter { $0[1] == 2 }
        let x = group.map { [1, $0[0], $0[2], $0[4]] }
        let result = try XCTUnwrap(fit(zip(x, group.map { $0[3] }).map { ($0, $1) }))
        assertClose(result.coef, [-84242.0345, 55.4430, -78966.9754, 225.6119], 1e-6, "coef")
        assertClose([result.conditionNumber], [(101729511.50194454 as Double).squareRoot()], 1e-6, "condition_no")
        let residuals = zip(x, group.map { $0[3] }).map { row, y in
            let r = y - zip(row, result.coef).reduce(0) { $0 + $1.0 * $1.1 }
            return (row, r * r)
        }
        let auxiliary = try XCTUnwrap(fit(residuals))
        let bp = LinearRegressionFit.breuschPagan(residualFit: auxiliary)
        XCTAssertEqual(bp.statistic, 2.5451215060247145, accuracy: 1e-7)
        XCTAssertEqual(try XCTUnwrap(bp.pValue), 0.4671917770599291, accuracy: 1e-8)
    }

    /// A duplicated column: the minimum-norm solution (the weight split evenly), rank 3 of
    /// 4, infinite condition number; nothing traps and the fitted values are right.
    func testRankDeficientInputGivesMinimumNormSolution() throws {
        let rows = Self.houses.map { ([1, $0[4], $0[4], $0[2]], $0[3]) }
        let result = try XCTUnwrap(fit(rows))
        XCTAssertEqual(result.rank, 3)
        XCTAssertEqual(result.coef[1], result.coef[2], accuracy: abs(result.coef[1]) * 1e-6)
        XCTAssertGreaterThan(result.conditionNumber, 1e6)
        let full = try XCTUnwrap(fit(Self.houses.map { ([1, $0[4], $0[2]], $0[3]) }))
        XCTAssertEqual(result.coef[1] + result.coef[2], full.coef[1], accuracy: abs(full.coef[1]) * 1e-6)
        XCTAssertEqual(result.r2, full.r2, accuracy: 1e-9)
    }

    /// MADlib: one row gives r2 = 1; with n <= k no standard errors (nil, NULL in SQL).
    func testOneRowAndRefusals() throws {
        let one = try XCTUnwrap(fit([([5, 2], 3)]))
        XCTAssertEqual(one.r2, 1)
        XCTAssertNil(one.stdErr)
        XCTAssertNil(one.pValues)
        XCTAssertNil(NormalEquations(featureCount: 0))
        XCTAssertNil(NormalEquations(featureCount: NormalEquations.maximumFeatures + 1))
        let equations = try XCTUnwrap(NormalEquations(featureCount: 2))
        XCTAssertFalse([1.0].withUnsafeBufferPointer { equations.add(features: $0, target: 1) })
        XCTAssertFalse([1.0, .nan].withUnsafeBufferPointer { equations.add(features: $0, target: 1) })
        XCTAssertFalse([1.0, 2].withUnsafeBufferPointer { equations.add(features: $0, target: .infinity) })
        XCTAssertEqual(equations.rows, 0)
        XCTAssertNil(equations.solve())
    }

    /// Many rows (several chunks and a partial one) against a direct computation.
    func testChunkedAccumulationEqualsDirectSums() throws {
        var generator = SplitMix64(seed: 7)
        let k = 6
        let equations = try XCTUnwrap(NormalEquations(featureCount: k))
        var direct = [Double](repeating: 0, count: k * k)
        for _ in 0..<1000 {
            let x = (0..<k).map { _ in Double(generator.next() % 1000) / 100 - 5 }
            let y = x.reduce(0, +) * 0.5
            XCTAssertTrue(x.withUnsafeBufferPointer { equations.add(features: $0, target: y) })
            for i in 0..<k { for j in 0..<k { direct[i * k + j] += x[i] * x[j] } }
        }
        let g = equations.gramMatrix()
        for i in 0..<(k * k) { XCTAssertEqual(g[i], direct[i], accuracy: abs(direct[i]) * 1e-12 + 1e-9) }
        let result = try XCTUnwrap(equations.solve())
        assertClose(Array(result.coef), [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], 1e-9, "coef of an exact fit")
        XCTAssertEqual(result.r2, 1, accuracy: 1e-12)
    }

    /// Jacobi against a matrix with known eigenvalues (Q diag Q^T built from rotations).
    /// X^T y eight sums at a time (addCrossProducts) gives the bits of the plain loop it
    /// replaced (per sum: a multiply then an add, rows in order), for every width around
    /// the vector's 8; and a block with a non-finite value or target is refused whole.
    func testCrossProductsEqualThePlainLoopBitForBit() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 997.0
        }
        for k in [1, 3, 7, 8, 9, 15, 16, 17, 29] {
            for m in [1, 4, 128] {
                let x = (0..<(m * k)).map { _ in next() }
                let y = (0..<m).map { _ in next() }
                var plain = (0..<k).map { _ in next() }
                var vector = plain
                for r in 0..<m { for j in 0..<k { plain[j] += x[r * k + j] * y[r] } }
                vector.withUnsafeMutableBufferPointer { sums in
                    x.withUnsafeBufferPointer { xs in
                        y.withUnsafeBufferPointer { ys in
                            NormalEquations.addCrossProducts(sums.baseAddress!, xs.baseAddress!, ys.baseAddress!, rows: m, k: k)
                        }
                    }
                }
                XCTAssertEqual(plain.map(\.bitPattern), vector.map(\.bitPattern), "k \(k), m \(m)")
            }
        }
        let equations = NormalEquations(featureCount: 3)!
        for bad in [Double.infinity, -Double.infinity, Double.nan] {
            let block: [Double] = [1, 2, 3, 4, bad, 6]
            let targets: [Double] = [1, 2]
            XCTAssertFalse(block.withUnsafeBufferPointer { b in
                targets.withUnsafeBufferPointer { equations.add(block: b.baseAddress!, targets: $0.baseAddress!, rows: 2) }
            })
            let goodBlock: [Double] = [1, 2, 3, 4, 5, 6]
            let badTargets: [Double] = [1, bad]
            XCTAssertFalse(goodBlock.withUnsafeBufferPointer { b in
                badTargets.withUnsafeBufferPointer { equations.add(block: b.baseAddress!, targets: $0.baseAddress!, rows: 2) }
            })
        }
        XCTAssertEqual(equations.rows, 0)
        XCTAssertNil(FiniteCheck.firstNonFinite([0.0, -0.0, .greatestFiniteMagnitude, -.leastNonzeroMagnitude].withUnsafeBufferPointer { $0 }))
        XCTAssertEqual([1.0, 2.0, .nan, .infinity].withUnsafeBufferPointer { FiniteCheck.firstNonFinite($0) }, 2)
    }

    func testSymmetricEigenRecoversEigenvalues() throws {
        let eigen = try XCTUnwrap(SymmetricEigen(symmetric: [2, 1, 0, 1, 2, 0, 0, 0, 5], n: 3))
        XCTAssertEqual(eigen.values.sorted(), [1, 3, 5].map(Double.init), accuracy: 1e-14)
        XCTAssertEqual(eigen.conditionNumber, 5, accuracy: 1e-13)
        let inverse = eigen.pseudoInverse()
        // [[2,1],[1,2]]^-1 = [[2,-1],[-1,2]] / 3, and 1/5.
        let expected: [Double] = [2.0 / 3, -1.0 / 3, 0, -1.0 / 3, 2.0 / 3, 0, 0, 0, 0.2]
        for i in 0..<9 { XCTAssertEqual(inverse[i], expected[i], accuracy: 1e-15) }
        XCTAssertNil(SymmetricEigen(symmetric: [1, .nan, .nan, 1], n: 2))
        XCTAssertNil(SymmetricEigen(symmetric: [1, 2, 3], n: 2))
    }
}

private func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}

/// The elastic net from one pass's sums, against scikit-learn's ElasticNet (coordinate
/// descent to tol 1e-14) on MADlib's houses table: standardized (scikit-learn on
/// StandardScaler's features, weights scaled back) and not.
final class ElasticNetTests: XCTestCase {
    private func equations() throws -> NormalEquations {
        let equations = try XCTUnwrap(NormalEquations(featureCount: 5))
        for h in LinearRegressionTests.houses {
            XCTAssertTrue([h[0], h[1], h[2], h[4], 1].withUnsafeBufferPointer { equations.add(features: $0, target: h[3]) })
        }
        return equations
    }

    func testMatchesScikitLearn() throws {
        let cases: [(Bool, Double, Double, [Double], Double)] = [
            (true, 0.5, 1000, [0.10475307286657642, 81.76508609849535, 123.3864070624581, 0.20594569787624822], 121244.94085146098),
            (false, 0.2, 50, [30.202091853027, -143.48463150186572, 54.85816028760261, 56.228438965444056], -5013.287660019516),
            (true, 1.0, 5000, [26.646415413334097, -4004.4809324533494, 3982.127520948799, 51.951558714757084], 10380.959395282509),
        ]
        for (standardize, alpha, lambda, weights, intercept) in cases {
            let fit = try XCTUnwrap(ElasticNetFit(equations: try equations(), alpha: alpha, lambda: lambda, standardize: standardize,
                                                  maximumIterations: 1_000_000, tolerance: 1e-13))
            for (got, expected) in zip(fit.weights, weights) {
                XCTAssertEqual(got, expected, accuracy: abs(expected) * 1e-6 + 1e-9, "standardize \(standardize) alpha \(alpha)")
            }
            XCTAssertEqual(fit.intercept, intercept, accuracy: abs(intercept) * 1e-7)
        }
    }

    /// lambda 0 is least squares; alpha 1 with a large lambda zeroes every weight.
    func testEdges() throws {
        let ols = try XCTUnwrap(try equations().solve())
        let fit = try XCTUnwrap(ElasticNetFit(equations: try equations(), alpha: 0.5, lambda: 0, standardize: false,
                                              maximumIterations: 1_000_000, tolerance: 1e-14))
        for j in 0..<4 { XCTAssertEqual(fit.weights[j], ols.coef[j], accuracy: abs(ols.coef[j]) * 1e-6) }
        let zero = try XCTUnwrap(ElasticNetFit(equations: try equations(), alpha: 1, lambda: 1e9, standardize: true,
                                               maximumIterations: 100, tolerance: 1e-10))
        XCTAssertEqual(zero.weights, [0, 0, 0, 0])
        XCTAssertNil(ElasticNetFit(equations: try equations(), alpha: 2, lambda: 1, standardize: true, maximumIterations: 10, tolerance: 0))
    }
}

/// statsmodels' bundled data sets against its OLS and Logit (the oracle), to 1e-6
/// relative: Longley (OLS, notoriously ill-conditioned: X^T X's condition number is about
/// 2e19) and Spector (Logit).
final class StatsmodelsDatasetTests: XCTestCase {
    static let longley: [[Double]] = [
        [60323, 83.0, 234289, 2356, 1590, 107608, 1947], [61122, 88.5, 259426, 2325, 1456, 108632, 1948],
        [60171, 88.2, 258054, 3682, 1616, 109773, 1949], [61187, 89.5, 284599, 3351, 1650, 110929, 1950],
        [63221, 96.2, 328975, 2099, 3099, 112075, 1951], [63639, 98.1, 346999, 1932, 3594, 113270, 1952],
        [64989, 99.0, 365385, 1870, 3547, 115094, 1953], [63761, 100.0, 363112, 3578, 3350, 116219, 1954],
        [66019, 101.2, 397469, 2904, 3048, 117388, 1955], [67857, 104.6, 419180, 2822, 2857, 118734, 1956],
        [68169, 108.4, 442769, 2936, 2798, 120445, 1957], [66513, 110.8, 444546, 4681, 2637, 121950, 1958],
        [68655, 112.6, 482704, 3813, 2552, 123366, 1959], [69564, 114.2, 502601, 3931, 2514, 125368, 1960],
        [69331, 115.7, 518173, 4806, 2572, 127852, 1961], [70551, 116.9, 554894, 4007, 2827, 130081, 1962],
    ]
    static let spector: [[Double]] = [
        [2.66, 20, 0, 0], [2.89, 22, 0, 0], [3.28, 24, 0, 0], [2.92, 12, 0, 0], [4.0, 21, 0, 1], [2.86, 17, 0, 0],
        [2.76, 17, 0, 0], [2.87, 21, 0, 0], [3.03, 25, 0, 0], [3.92, 29, 0, 1], [2.63, 20, 0, 0], [3.32, 23, 0, 0],
        [3.57, 23, 0, 0], [3.26, 25, 0, 1], [3.53, 26, 0, 0], [2.74, 19, 0, 0], [2.75, 25, 0, 0], [2.83, 19, 0, 0],
        [3.12, 23, 1, 0], [3.16, 25, 1, 1], [2.06, 22, 1, 0], [3.62, 28, 1, 1], [2.89, 14, 1, 0], [3.51, 26, 1, 0],
        [3.54, 24, 1, 1], [2.83, 27, 1, 1], [3.39, 17, 1, 1], [2.67, 24, 1, 0], [3.65, 21, 1, 1], [4.0, 23, 1, 1],
        [3.1, 21, 1, 0], [2.39, 19, 1, 1],
    ]

    private func assertRelative(_ got: [Double]?, _ expected: [Double], _ what: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        guard let got, got.count == expected.count else { return XCTFail(what, file: file, line: line) }
        for (g, e) in zip(got, expected) {
            XCTAssertLessThan(abs(g - e) / abs(e), 1e-6, "\(what): got \(got), expected \(expected)", file: file, line: line)
        }
    }

    func testLongleyMatchesStatsmodelsOLS() throws {
        let equations = try XCTUnwrap(NormalEquations(featureCount: 7))
        for r in Self.longley {
            XCTAssertTrue([1, r[1], r[2], r[3], r[4], r[5], r[6]].withUnsafeBufferPointer { equations.add(features: $0, target: r[0]) })
        }
        let fit = try XCTUnwrap(equations.solve())
        XCTAssertEqual(fit.rank, 7)
        assertRelative(fit.coef, [-3482258.6345979422, 15.061872271549873, -0.0358191792926712, -2.020229803817525,
                                  -1.0332268671737141, -0.05110410565364987, 1829.151464614646], "coef")
        assertRelative(fit.stdErr, [890420.3836079354, 84.91492577481773, 0.033491007772265075, 0.4883996816519555,
                                    0.21427416316179218, 0.22607320006948278, 455.4784991425031], "std_err")
        assertRelative(fit.tStats, [-3.910802918154252, 0.17737602823197196, -1.0695163172227429, -4.136427355939977,
                                    -4.8219853104434, -0.2260511446643972, 4.015889812709621], "t")
        assertRelative(fit.pValues, [0.0035604036637267, 0.8631408328077096, 0.3126810610919878, 0.002535091734114057,
                                     0.0009443667641645009, 0.826211795763501, 0.003036803341631041], "p")
        assertRelative([fit.r2], [0.9954790045772896], "r2")
    }

    func testSpectorMatchesStatsmodelsLogit() throws {
        let solver = try XCTUnwrap(LogisticIRLS(featureCount: 4))
        var outcome = LogisticIRLS.PassOutcome.another
        while outcome == .another {
            solver.beginPass()
            for r in Self.spector {
                XCTAssertTrue([1, r[0], r[1], r[2]].withUnsafeBufferPointer { solver.add(features: $0, positive: r[3] == 1) })
            }
            outcome = solver.endPass(tolerance: 1e-12, maximumSteps: 100)
        }
        XCTAssertEqual(outcome, .converged)
        let fit = try XCTUnwrap(solver.statistics())
        assertRelative(fit.coef, [-13.021346858115693, 2.8261125948893224, 0.09515766131790926, 2.3786876550933544], "coef")
        assertRelative(fit.stdErr, [4.931324213602793, 1.2629410756291015, 0.14155420567369387, 1.0645642544971354], "std_err")
        assertRelative(fit.zStats, [-2.6405375704556207, 2.2377232393693167, 0.6722347871264496, 2.23442375135634], "z")
        assertRelative(fit.pValues, [0.00827746143548868, 0.025239108802565257, 0.5014342380819201, 0.025455204361278714], "p")
        assertRelative([fit.logLikelihood], [-12.889634222131416], "log-likelihood")
    }
}
