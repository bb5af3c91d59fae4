#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The elastic net for a squared-error loss, solved exactly from one pass's sums by
/// coordinate descent on the covariance (glmnet's covariance updates): no further pass
/// over the rows. MADlib's objective (gaussian family):
///
///     (1 / 2n) sum (y - b0 - x b)^2 + lambda (alpha |b|_1 + (1 - alpha) / 2 |b|_2^2)
///
/// Contract: the sums are those of ``NormalEquations`` over rows whose **last feature is a
/// constant 1** (its row of X^T X holds the column sums); `standardize` fits on features
/// centred and scaled to unit population deviation (a constant feature gets weight 0)
/// and reports the weights on the original scale; without it the features are centred
/// only (the intercept is not penalized either way). Stops when no weight moves by more
/// than `tolerance` (relative to the largest weight, absolute below 1) or after
/// `maximumIterations` sweeps. float64; deterministic; never traps.
public struct ElasticNetFit: Equatable {
    public let weights: [Double]
    public let intercept: Double
    public let iterations: Int
    /// Half the mean squared residual plus the penalty at the solution, on the scale fitted.
    public let objective: Double

    public init?(equations: NormalEquations, alpha: Double, lambda: Double, standardize: Bool,
                 maximumIterations: Int, tolerance: Double) {
        let width = equations.featureCount
        let k = width - 1
        guard k >= 1, equations.rows > 0, alpha >= 0, alpha <= 1, lambda >= 0, lambda.isFinite,
              maximumIterations >= 1, tolerance >= 0 else { return nil }
        let g = equations.gramMatrix()
        let xy = equations.crossProducts
        let n = Double(equations.rows)
        let yMean = equations.targetTotal / n
        var mean = [Double](repeating: 0, count: k)
        for j in 0..<k { mean[j] = g[j * width + k] / n }
        // Covariances of the centred features and with the centred target.
        var cov = [Double](repeating: 0, count: k * k)
        var r = [Double](repeating: 0, count: k)
        for i in 0..<k {
            for j in 0..<k { cov[i * k + j] = g[i * width + j] / n - mean[i] * mean[j] }
            r[i] = xy[i] / n - mean[i] * yMean
        }
        var scale = [Double](repeating: 1, count: k)
        if standardize {
            for j in 0..<k {
                let variance = cov[j * k + j]
                scale[j] = variance > 1e-300 ? 1 / variance.squareRoot() : 0
            }
            for i in 0..<k {
                for j in 0..<k { cov[i * k + j] *= scale[i] * scale[j] }
                r[i] *= scale[i]
            }
        }
        let l1 = lambda * alpha, l2 = lambda * (1 - alpha)
        var b = [Double](repeating: 0, count: k)
        var sweeps = 0
        while sweeps < maximumIterations {
            sweeps += 1
            var largestStep = 0.0, largestWeight = 0.0
            for j in 0..<k {
                let denominator = cov[j * k + j] + l2
                guard denominator > 0 else { b[j] = 0; continue }
                var partial = r[j]
                for m in 0..<k where m != j { partial -= cov[j * k + m] * b[m] }
                let next = partial > l1 ? (partial - l1) / denominator : (partial < -l1 ? (partial + l1) / denominator : 0)
                largestStep = max(largestStep, abs(next - b[j]))
                b[j] = next
                largestWeight = max(largestWeight, abs(next))
            }
            if largestStep <= tolerance * max(1, largestWeight) { break }
        }
        guard b.allSatisfy(\.isFinite) else { return nil }
        // Objective on the fitted scale: (1/2) (var y - 2 b.r + b C b) + penalty.
        let yVariance = equations.targetSquareTotal / n - yMean * yMean
        var quadratic = 0.0, linear = 0.0
        for i in 0..<k {
            linear += b[i] * r[i]
            for j in 0..<k { quadratic += b[i] * cov[i * k + j] * b[j] }
        }
        objective = 0.5 * max(yVariance - 2 * linear + quadratic, 0)
            + l1 * b.reduce(0) { $0 + abs($1) } + l2 / 2 * b.reduce(0) { $0 + $1 * $1 }
        let original = (0..<k).map { b[$0] * scale[$0] }
        weights = original
        intercept = yMean - (0..<k).reduce(0) { $0 + original[$1] * mean[$1] }
        iterations = sweeps
    }
}
