@testable import CorgiCore
import XCTest

/// The tails behind the exact solvers' p-values, against reference values computed with
/// mpmath at 40 digits (`mp.betainc`, `mp.ncdf`, `mp.gammainc`), to 1e-12 relative (Student's
/// t above 1e5 degrees of freedom: 1e-10).
final class DistributionTests: XCTestCase {
    private func assertRelative(_ got: Double, _ expected: Double, _ what: String, tolerance: Double = 1e-12,
                                file: StaticString = #filePath, line: UInt = #line) {
        let error = abs(got - expected) / abs(expected)
        XCTAssertLessThan(error, tolerance, "\(what): got \(got), expected \(expected)", file: file, line: line)
    }

    func testStudentTTwoSidedAgainstReference() {
        let cases: [(Double, Double, Double)] = [
            (0.5, 1, 0.70483276469913345165),
            (2.0, 3, 0.13932596855884317685),
            (3.61222934, 11, 0.0040815908290995639817),
            (-1.4189, 11, 0.18363619417214652217),
            (10, 5, 0.00017094757574296359071),
            (40, 30, 1.3726045194406402787e-27),
            (0.01, 100, 0.99204121023442850088),
            (6, 1000, 2.7553691733774691126e-9),
            (25, 1_000_000, 6.7423581675436744901e-138),
            (2.5, 999_999, 0.012419489502322097365),
            (1e-8, 7, 0.99999999230017098335),
            (100, 2.5, 0.000014383298423332375672),
        ]
        for (t, df, p) in cases {
            // Above 1e5 degrees of freedom, 1e-10: the rounding of x = df / (df + t^2) to a
            // double alone moves I_x(df/2, 1/2) by up to 6e-11 relative at df = 1e6, t = 2.5.
            let tolerance = df > 1e5 ? 1e-10 : 1e-12
            assertRelative(Distributions.studentTTwoSided(t, degreesOfFreedom: df), p, "t=\(t) df=\(df)", tolerance: tolerance)
            // The one-sided tail is half of it (for t >= 0).
            if t >= 0 {
                assertRelative(Distributions.studentTUpperTail(t, degreesOfFreedom: df), p / 2, "upper t=\(t) df=\(df)", tolerance: tolerance)
            }
        }
        XCTAssertEqual(Distributions.studentTTwoSided(0, degreesOfFreedom: 4), 1)
        XCTAssertEqual(Distributions.studentTTwoSided(.infinity, degreesOfFreedom: 4), 0)
        XCTAssertTrue(Distributions.studentTTwoSided(1, degreesOfFreedom: 0).isNaN)
        XCTAssertTrue(Distributions.studentTTwoSided(.nan, degreesOfFreedom: 3).isNaN)
    }

    func testNormalUpperTailAgainstReference() {
        let cases: [(Double, Double)] = [
            (0, 0.5), (1, 0.15865525393145705141), (3, 0.0013498980316300945267),
            (8, 6.2209605742717841235e-16), (20, 2.7536241186062336951e-89), (-2, 0.9772498680518207928),
        ]
        for (z, p) in cases { assertRelative(Distributions.normalUpperTail(z), p, "z=\(z)") }
    }

    func testChiSquaredUpperTailAgainstReference() {
        let cases: [(Double, Double, Double)] = [
            (2.5451215060247145, 3, 0.46719177705992904161),
            (6.753838204994, 3, 0.080171710151180876381),
            (0.1, 1, 0.75182963404584927583),
            (50, 10, 2.6690834249044956397e-7),
            (300, 200, 5.9245403354839158294e-6),
            (0.001, 4, 0.99999987504165885521),
        ]
        for (x, k, p) in cases { assertRelative(Distributions.chiSquaredUpperTail(x, degreesOfFreedom: k), p, "x=\(x) k=\(k)") }
        XCTAssertEqual(Distributions.chiSquaredUpperTail(0, degreesOfFreedom: 2), 1)
    }
}
