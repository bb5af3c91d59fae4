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
    /// With a penalty: the binomial elastic net (``ElasticNetPenalty``) in place of the
    /// plain maximum-likelihood fit.
    public let penalty: ElasticNetPenalty?
    /// With a penalty: the objective at ``coef`` once the fit is done (of the last pass).
    public private(set) var objective = 0.0
    private var previousObjective: Double?
    /// With a penalty: each feature's scale in the penalty (its population deviation with
    /// standardize, else 1; 0 for a constant feature, whose weight stays 0), measured by
    /// the first pass (at zero coefficients every weight is 1/4, so the Hessian is X^T X / 4).
    private var penaltyScales: [Double]?
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

    /// `penalty` needs at least one feature before the intercept, which is the last.
    public init?(featureCount: Int, penalty: ElasticNetPenalty? = nil) {
        guard featureCount >= (penalty == nil ? 1 : 2), featureCount <= NormalEquations.maximumFeatures else { return nil }
        self.featureCount = featureCount
        self.penalty = penalty
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
        descent = nil
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

    /// Advances the decomposition of this pass's Hessian (with a penalty: the coordinate
    /// descent of the next step) by a few milliseconds of work; true while more is needed
    /// (``endPass`` finishes it otherwise).
    public func decompositionStep() -> Bool {
        guard passRows > 0 else { return false }
        if let penalty { return descentSlice(penalty) }
        return decomposition.step({ hessian.matrix() }, n: featureCount)
    }

    /// Ends a pass: whether another pass is needed, or the fit is done (converged, at
    /// the step limit, or failed: no rows or a Hessian that is not finite).
    public func endPass(tolerance: Double, maximumSteps: Int) -> PassOutcome {
        rows = passRows
        guard passRows > 0, passLogLikelihood.isFinite else { return .failed }
        if let penalty { return endPenalizedPass(penalty, tolerance: tolerance, maximumSteps: maximumSteps) }
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

    /// The binomial elastic net's pass end: the objective at the pass's coefficients;
    /// converged when it moved by less than `tolerance` since the previous pass (the
    /// coefficients reported are those the pass evaluated), else the next coefficients
    /// minimize the penalized quadratic model of the objective at these (coordinate
    /// descent on the pass's Hessian and gradient: glmnet's IRLS step, no further pass).
    private func endPenalizedPass(_ penalty: ElasticNetPenalty, tolerance: Double, maximumSteps: Int) -> PassOutcome {
        while decompositionStep() {}
        guard let descent, descent.valid, let scales = penaltyScales else { return .failed }
        let n = Double(passRows)
        logLikelihood = passLogLikelihood
        objective = -passLogLikelihood / n + penalty.value(coef, scales: scales)
        if let previous = previousObjective, abs(objective - previous) < tolerance { return .converged }
        if steps >= maximumSteps { return .stepLimit }
        previousObjective = objective
        guard descent.b.allSatisfy({ $0.isFinite }) else { return .failed }
        coef = descent.b
        steps += 1
        return .another
    }

    /// The coordinate descent of one penalized step, run in bounded slices
    /// (``decompositionStep()``) so that the glue checks for interrupts between them: the
    /// quadratic model in the next coefficients b, (1/2) b^T Q b - c^T b + penalty, with
    /// Q = H / n and c = (H coef + g) / n of the pass just read.
    private struct Descent {
        var h: [Double]
        var c: [Double]
        var b: [Double]
        var sweeps = 0
        var finished = false
        var valid = true
    }
    private var descent: Descent?

    /// The descent of this pass, set up (and the penalty's scales measured on the first
    /// pass: at zero coefficients H = X^T X / 4, its intercept column the column sums).
    private func prepareDescent(_ penalty: ElasticNetPenalty) -> Descent {
        let k = featureCount, n = Double(passRows), intercept = k - 1
        let h = hessian.matrix()
        guard h.count == k * k, h.allSatisfy(\.isFinite) else { return Descent(h: [], c: [], b: [], finished: true, valid: false) }
        if penaltyScales == nil {
            var scales = [Double](repeating: 1, count: k)
            scales[intercept] = 0
            for j in 0..<intercept {
                let mean = 4 * h[j * k + intercept] / n
                let variance = 4 * h[j * k + j] / n - mean * mean
                let deviation = variance > 0 ? variance.squareRoot() : 0
                // Constant within float64's rounding of the sums (as corgi's list scaling).
                let constant = !(deviation > abs(mean) * 1e-9) || !deviation.isFinite
                scales[j] = constant ? 0 : (penalty.standardize ? deviation : 1)
            }
            penaltyScales = scales
        }
        var c = [Double](repeating: 0, count: k)
        for i in 0..<k {
            var s = gradient[i]
            for j in 0..<k { s += h[i * k + j] * coef[j] }
            c[i] = s / n
        }
        var b = coef
        if let scales = penaltyScales {
            for j in 0..<intercept where scales[j] == 0 { b[j] = 0 }
        }
        return Descent(h: h, c: c, b: b)
    }

    /// Sweeps of the descent worth about ``ElasticNetPenalty/sliceWork`` multiply-adds;
    /// true while more are needed.
    private func descentSlice(_ penalty: ElasticNetPenalty) -> Bool {
        if descent == nil { descent = prepareDescent(penalty) }
        guard var d = descent, !d.finished, let scales = penaltyScales else { return false }
        let k = featureCount, n = Double(passRows), intercept = k - 1
        var work = 0
        while work < ElasticNetPenalty.sliceWork && !d.finished {
            var largestStep = 0.0, largestWeight = 0.0
            for j in 0..<k {
                if j != intercept && scales[j] == 0 { continue }
                let l1 = j == intercept ? 0 : penalty.lambda * penalty.alpha * scales[j]
                let l2 = j == intercept ? 0 : penalty.lambda * (1 - penalty.alpha) * scales[j] * scales[j]
                let denominator = d.h[j * k + j] / n + l2
                guard denominator > 0 else { d.b[j] = 0; continue }
                var partial = d.c[j]
                for m in 0..<k where m != j { partial -= d.h[j * k + m] / n * d.b[m] }
                let next = partial > l1 ? (partial - l1) / denominator : (partial < -l1 ? (partial + l1) / denominator : 0)
                largestStep = max(largestStep, abs(next - d.b[j]))
                largestWeight = max(largestWeight, abs(next))
                d.b[j] = next
            }
            d.sweeps += 1
            work += k * k
            if largestStep <= ElasticNetPenalty.sweepTolerance * max(1, largestWeight)
                || d.sweeps >= ElasticNetPenalty.maximumSweeps { d.finished = true }
        }
        descent = d
        return !d.finished
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

/// The penalty of the binomial elastic net (MADlib's `elastic_net_train`, family binomial):
/// ``LogisticIRLS`` then minimizes
///
///     -LL(b) / n + lambda (alpha sum |s_j b_j| + (1 - alpha) / 2 sum (s_j b_j)^2)
///
/// over the coefficients but the intercept (the last, unpenalized), s_j each feature's
/// population deviation with `standardize` (the penalty of the standardized model, its
/// weights reported on the original scale, as MADlib and glmnet), else 1.
public struct ElasticNetPenalty: Equatable, Sendable {
    public let alpha: Double
    public let lambda: Double
    public let standardize: Bool

    /// Coordinate-descent sweeps of one step at most, and their stopping rule (the largest
    /// move, relative to the largest weight, absolute below 1).
    static let maximumSweeps = 10_000
    static let sweepTolerance = 1e-13
    /// Multiply-adds of one slice of a step's descent (a few milliseconds).
    static let sliceWork = 2_000_000

    /// nil unless alpha is in [0, 1] and lambda finite and at least 0.
    public init?(alpha: Double, lambda: Double, standardize: Bool) {
        guard alpha >= 0, alpha <= 1, lambda >= 0, lambda.isFinite else { return nil }
        self.alpha = alpha
        self.lambda = lambda
        self.standardize = standardize
    }

    /// The penalty of `coef` (the last one, the intercept, excluded).
    func value(_ coef: [Double], scales: [Double]) -> Double {
        var l1 = 0.0, l2 = 0.0
        for j in 0..<(coef.count - 1) {
            let u = coef[j] * scales[j]
            l1 += abs(u)
            l2 += u * u
        }
        return lambda * (alpha * l1 + (1 - alpha) / 2 * l2)
    }
}
