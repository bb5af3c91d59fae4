#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The tails of the distributions the exact solvers' statistics need: Student's t
/// (t statistics of a linear regression), the standard normal (z statistics of a logistic
/// regression) and chi-squared (the Breusch-Pagan test).
///
/// Contract: float64; the *upper tail* is computed directly (never as 1 minus a CDF near
/// 1), so small p-values keep their relative precision. Checked against reference values
/// to 1e-12 relative (DistributionTests; Student's t above 1e5 degrees of freedom to 1e-10, the
/// rounding of df / (df + t^2) to a double being the limit there). Arguments outside the domain answer NaN; nothing
/// traps. Not thread-safe only in that `lgamma` may write the C library's `signgam`.
public enum Distributions {
    /// P(T > t) for Student's t with `degreesOfFreedom` > 0 (any real, not only integers).
    public static func studentTUpperTail(_ t: Double, degreesOfFreedom df: Double) -> Double {
        guard df > 0, !t.isNaN, !df.isNaN else { return .nan }
        if t.isInfinite { return t > 0 ? 0 : 1 }
        if df.isInfinite { return normalUpperTail(t) }
        // P(|T| > |t|) = I_x(df/2, 1/2) with x = df / (df + t^2); 1 - x = t^2 / (df + t^2).
        let t2 = t * t
        let x = df / (df + t2)
        let y = t2 / (df + t2)
        let twoSided = regularizedIncompleteBeta(x: x, complement: y, a: df / 2, b: 0.5)
        return t >= 0 ? twoSided / 2 : 1 - twoSided / 2
    }

    /// 2 P(T > |t|): the two-sided p-value of a t statistic.
    public static func studentTTwoSided(_ t: Double, degreesOfFreedom df: Double) -> Double {
        guard df > 0, !t.isNaN, !df.isNaN else { return .nan }
        if t.isInfinite { return 0 }
        if df.isInfinite { return 2 * normalUpperTail(abs(t)) }
        let t2 = t * t
        return regularizedIncompleteBeta(x: df / (df + t2), complement: t2 / (df + t2), a: df / 2, b: 0.5)
    }

    /// P(Z > z) for the standard normal.
    public static func normalUpperTail(_ z: Double) -> Double {
        guard !z.isNaN else { return .nan }
        return 0.5 * erfc(z / 2.0.squareRoot())
    }

    /// P(X > x) for chi-squared with `degreesOfFreedom` > 0.
    public static func chiSquaredUpperTail(_ x: Double, degreesOfFreedom df: Double) -> Double {
        guard df > 0, !x.isNaN, !df.isNaN else { return .nan }
        if x <= 0 { return 1 }
        if x.isInfinite { return 0 }
        return regularizedUpperGamma(a: df / 2, x: x / 2)
    }

    // MARK: - Special functions

    /// I_x(a, b), the regularized incomplete beta function, for 0 <= x <= 1 given with its
    /// complement `y` = 1 - x (pass both computed directly: 1 - x loses precision near 1).
    static func regularizedIncompleteBeta(x: Double, complement y: Double, a: Double, b: Double) -> Double {
        guard a > 0, b > 0, x >= 0, y >= 0 else { return .nan }
        if x == 0 { return 0 }
        if y == 0 { return 1 }
        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); above, the
        // symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
        if x < (a + 1) / (a + b + 2) {
            return betaFront(x: x, y: y, a: a, b: b) * betaContinuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - betaFront(x: y, y: x, a: b, b: a) * betaContinuedFraction(x: y, a: b, b: a) / b
    }

    /// x^a y^b / B(a, b), through logarithms (log1p where it keeps digits).
    private static func betaFront(x: Double, y: Double, a: Double, b: Double) -> Double {
        let logX = x > 0.5 ? log1p(-y) : log(x)
        let logY = y > 0.5 ? log1p(-x) : log(y)
        return exp(a * logX + b * logY - logBeta(a, b))
    }

    /// The continued fraction of I_x(a, b) (modified Lentz), valid for x < (a+1)/(a+b+2).
    private static func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        var m = 1.0
        while m < 100_000 {
            let m2 = 2 * m
            // Even step.
            var term = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + term * d
            if abs(d) < tiny { d = tiny }
            c = 1 + term / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            // Odd step.
            term = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + term * d
            if abs(d) < tiny { d = tiny }
            c = 1 + term / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
            m += 1
        }
        return h
    }

    /// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), without the cancellation of
    /// large lgamma values: Stirling's series for the arguments of 10 and more.
    static func logBeta(_ a: Double, _ b: Double) -> Double {
        let p = min(a, b), q = max(a, b)
        let halfLogTwoPi = 0.918_938_533_204_672_741_78
        if p >= 10 {
            let correction = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q)
            return halfLogTwoPi - 0.5 * log(q) + correction + (p - 0.5) * log(p / (p + q)) + q * log1p(-p / (p + q))
        }
        if q >= 10 {
            let correction = stirlingCorrection(q) - stirlingCorrection(p + q)
            return lgamma(p) + correction + p - p * log(p + q) + (q - 0.5) * log1p(-p / (p + q))
        }
        return lgamma(p) + lgamma(q) - lgamma(p + q)
    }

    /// lgamma(x) - [(x - 1/2) log x - x + log(2 pi)/2] for x >= 10 (Stirling's series,
    /// five terms: below 1e-17 absolute there).
    static func stirlingCorrection(_ x: Double) -> Double {
        let inverse = 1 / x
        let inverse2 = inverse * inverse
        return inverse * (1.0 / 12 - inverse2 * (1.0 / 360 - inverse2 * (1.0 / 1260 - inverse2 * (1.0 / 1680 - inverse2 / 1188))))
    }

    /// Q(a, x) = Gamma(a, x) / Gamma(a), the regularized upper incomplete gamma function.
    static func regularizedUpperGamma(a: Double, x: Double) -> Double {
        guard a > 0, x >= 0 else { return .nan }
        if x == 0 { return 1 }
        let logFront = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            // The series of P(a, x); Q = 1 - P (P is not close to 1 here).
            var sum = 1 / a, term = 1 / a, n = a
            for _ in 0..<100_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return 1 - sum * exp(logFront)
        }
        // The continued fraction of Q(a, x) (modified Lentz).
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        var i = 1.0
        while i < 100_000 {
            let an = -i * (i - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
            i += 1
        }
        return exp(logFront) * h
    }
}
