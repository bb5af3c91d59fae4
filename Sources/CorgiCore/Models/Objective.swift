#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The loss of one row and its derivative with respect to the scores `z`.
///
/// Contract: float64; numerically stable for any finite score (no overflow in `exp`:
/// logistic uses softplus, softmax subtracts the maximum before exponentiating).
/// Deterministic. Never traps.
public enum Objective {
    /// Loss of one row with scores `z` and encoded target `target`, and writes
    /// dLoss/dz into `gradient` (same count as `z`).
    ///
    /// `target` is the value for linear and svr, +1 or -1 for logistic and svm, and the
    /// class index for softmax (as produced by ``SGDTrainer``'s label encoding). `margin`
    /// is svr's epsilon (a residual within it costs nothing); the other kinds ignore it.
    @inline(__always)
    public static func lossAndGradient(
        kind: ModelKind, scores z: UnsafeBufferPointer<Double>, target: Double,
        gradient: UnsafeMutableBufferPointer<Double>, margin: Double = 0
    ) -> Double {
        switch kind {
        case .svr:
            // The subgradient of max(0, |r| - margin): sign(r) outside the tube, 0 inside.
            let residual = z[0] - target
            if residual > margin {
                gradient[0] = 1
                return residual - margin
            }
            if residual < -margin {
                gradient[0] = -1
                return -residual - margin
            }
            gradient[0] = 0
            return 0
        case .linear:
            let residual = z[0] - target
            gradient[0] = residual
            return 0.5 * residual * residual
        case .logistic:
            // One exp serves both: with e = exp(-|m|), softplus(-m) is log1p(e) (m >= 0)
            // or -m + log1p(e), and sigmoid(-m) is e / (1 + e) or 1 / (1 + e).
            let margin = target * z[0]
            let e = exp(-abs(margin))
            if margin >= 0 {
                gradient[0] = -target * (e / (1 + e))
                return log1p(e)
            }
            gradient[0] = -target * (1 / (1 + e))
            return -margin + log1p(e)
        case .svm:
            let margin = target * z[0]
            if margin < 1 {
                gradient[0] = -target
                return 1 - margin
            }
            gradient[0] = 0
            return 0
        case .softmax:
            var maximum = -Double.infinity
            for k in 0..<z.count where z[k] > maximum { maximum = z[k] }
            var total = 0.0
            for k in 0..<z.count {
                let e = exp(z[k] - maximum)
                gradient[k] = e
                total += e
            }
            let label = Int(target)
            for k in 0..<z.count { gradient[k] /= total }
            gradient[label] -= 1
            return (maximum + log(total)) - z[label]
        }
    }

    /// `1 / (1 + exp(-x))`, computed without overflow.
    @inline(__always)
    public static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }

    /// `log(1 + exp(x))`, computed without overflow or loss of precision.
    @inline(__always)
    public static func softplus(_ x: Double) -> Double {
        if x > 35 { return x }
        if x < -35 { return exp(x) }
        return log1p(exp(x))
    }

    /// The softmax of `z` (max-subtracted).
    public static func softmax(_ z: [Double]) -> [Double] {
        guard let maximum = z.max() else { return [] }
        let e = z.map { exp($0 - maximum) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }
}
