#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Logistic regression by iteratively reweighted least squares (Newton's method on the
/// log-likelihood), one pass over the rows per iteration, with MADlib's `logregr`
/// statistics at the final coefficients.
///
/// Contract (the caller runs the passes): ``beginPass()``, ``add(features:positive:)``
/// for every row, ``endPass(tolerance:maximumSteps:)``; repeat while it answers
/// `.another`. Pass t evaluates the coefficients beta_(t-1) (zero at first): the
/// log-likelihood LL, the gradient g = sum (y - p) x and the Hessian H = sum p (1 - p) x x^T.
/// The fit has converged when |LL(beta_(t-1)) - LL(beta_(t-2))| < tolerance (MADlib's
/// rule): its coefficients are beta_(t-1) and every statistic comes from that same
/// pass's H, exactly at the reported coefficients. Otherwise beta_t = beta_(t-1) + H^+ g (a
/// pseudo-inverse: separable or collinear data cannot trap); after `maximumSteps` steps
/// one more pass evaluates the last coefficients. ``steps`` is the number of Newton
/// steps taken (MADlib's num_iterations). float64; the same rows in the same order give
/// the same bits on the same CPU. Never traps; at most ``NormalEquations/maximumFeatures``.
public final class LogisticIRLS {
    public enum PassOutcome { case another, converged, stepLimit, failed }

    public let featureCount: Int
    public private(set) var coef: [Double]
    public private(set) var steps = 0
    public private(set) var rows: Int64 = 0
    /// The log-likelihood at ``coef`` once the fit is done (of the last pass before).
    public private(set) var logLikelihood = 0.0
    private var previousLogLikelihood: Double?
    private var hessian: GramAccumulator
    private var gradient: [Double]
    private var decomposition = SteppedDecomposition()
    private var pendingStep = false
    private var passRows: Int64 = 0
    private var passLogLikelihood = 0.0

    /// The most bytes one solver of `featureCount` features holds.
    public static func plannedBytes(featureCount: Int) -> Int {
        let k = max(featureCount, 0)
        return GramAccumulator.plannedBytes(k: k) + 16 * k + 256
    }

    public init?(featureCount: Int) {
        guard featureCount >= 1, featureCount <= NormalEquations.maximumFeatures else { return nil }
        self.featureCount = featureCount
        coef = [Double](repeating: 0, count: featureCount)
        hessian = GramAccumulator(k: featureCount)
        gradient = [Double](repeating: 0, count: featureCount)
    }

    /// Starts a pass at the current coefficients.
    public func beginPass() {
        hessian.reset()
        for j in gradient.indices { gradient[j] = 0 }
        passRows = 0
        passLogLikelihood = 0
        decomposition.reset()
        pendingStep = false
    }

    /// Adds one row of the pass; false (nothing added) for a wrong length or a value
    /// that is not finite.
    @discardableResult
    public func add(features x: UnsafeBufferPointer<Double>, positive: Bool) -> Bool {
        let k = featureCount
        guard x.count == k else { return false }
        var z = 0.0
        for j in 0..<k {
            guard x[j].isFinite else { return false }
            z += coef[j] * x[j]
        }
        let p = Objective.sigmoid(z)
        let y = positive ? 1.0 : 0.0
        // log p = -softplus(-z), log(1 - p) = -softplus(z): no log of 0.
        passLogLikelihood -= positive ? Objective.softplus(-z) : Objective.softplus(z)
        let residual = y - p
        gradient.withUnsafeMutableBufferPointer { g in
            for j in 0..<k { g[j] += residual * x[j] }
        }
        hessian.add(x, scale: (p * (1 - p)).squareRoot())
        passRows += 1
        return true
    }

    /// Advances the decomposition of this pass's Hessian by a few milliseconds of work;
    /// true while more is needed (``endPass`` finishes it otherwise).
    public func decompositionStep() -> Bool {
        guard passRows > 0 else { return false }
        return decomposition.step({ hessian.matrix() }, n: featureCount)
    }

    /// Ends a pass: whether another pass is needed, or the fit is done (converged, at
    /// the step limit, or failed: no rows or a Hessian that is not finite).
    public func endPass(tolerance: Double, maximumSteps: Int) -> PassOutcome {
        rows = passRows
        guard passRows > 0, passLogLikelihood.isFinite else { return .failed }
        while decompositionStep() {}
        guard decomposition.isDone else { return .failed }
        logLikelihood = passLogLikelihood
        if let previous = previousLogLikelihood, abs(passLogLikelihood - previous) < tolerance {
            return .converged
        }
        if steps >= maximumSteps { return .stepLimit }
        previousLogLikelihood = passLogLikelihood
        guard let inverse = decomposition.pseudoInverse() else { return .failed }
        let k = featureCount
        var next = coef
        for i in 0..<k {
            var delta = 0.0
            for j in 0..<k { delta += inverse[i * k + j] * gradient[j] }
            next[i] += delta
        }
        guard next.allSatisfy({ $0.isFinite }) else { return .failed }
        coef = next
        steps += 1
        return .another
    }

    /// The statistics at ``coef`` from the last pass (call after `.converged` or
    /// `.stepLimit`): MADlib's std_err = sqrt(diag H^+), z_stats, two-sided normal
    /// p-values, odds ratios exp(coef), condition_no = sqrt(largest / smallest
    /// eigenvalue of H), variance_covariance = H^+. nil before a finished pass.
    public func statistics() -> LogisticRegressionFit? {
        guard let inverse = decomposition.pseudoInverse() else { return nil }
        let k = featureCount
        var errors = [Double](repeating: 0, count: k)
        var z = [Double](repeating: 0, count: k)
        var p = [Double](repeating: 0, count: k)
        for i in 0..<k {
            let diagonal = inverse[i * k + i]
            errors[i] = diagonal < 0 ? 0 : diagonal.squareRoot()
            z[i] = coef[i] == 0 && errors[i] == 0 ? 0 : coef[i] / errors[i]
            p[i] = 2 * Distributions.normalUpperTail(abs(z[i]))
        }
        return LogisticRegressionFit(
            coef: coef, logLikelihood: logLikelihood, stdErr: errors, zStats: z, pValues: p,
            oddsRatios: coef.map { exp($0) }, conditionNumber: decomposition.conditionNumber,
            varianceCovariance: inverse, rows: rows, steps: steps, rank: decomposition.rank)
    }
}

/// A logistic regression fit with MADlib's `logregr` statistics (``LogisticIRLS``).
public struct LogisticRegressionFit {
    public let coef: [Double]
    public let logLikelihood: Double
    public let stdErr: [Double]
    public let zStats: [Double]
    public let pValues: [Double]
    public let oddsRatios: [Double]
    public let conditionNumber: Double
    public let varianceCovariance: [Double]
    public let rows: Int64
    public let steps: Int
    public let rank: Int
}
