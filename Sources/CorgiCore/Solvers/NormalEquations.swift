import CorgiKernels

/// One pass of ordinary least squares: the sums X^T X, X^T y, sum y, sum y^2 and the row
/// count, accumulated row by row (rows are gathered in chunks and X^T X grows by one
/// matrix product per chunk), then ``solve()``.
///
/// Contract: float64; the features are used as given (a column of ones is the
/// intercept, as in MADlib's `linregr`); the same rows in the same order give the same
/// bits on the same CPU. `featureCount` is at most ``maximumFeatures`` (the k x k
/// decomposition of ``solve()`` is O(k^3)). Non-finite values are the caller's to refuse
/// (``add(features:target:)`` answers false for them and for a wrong length, and adds
/// nothing). Nothing traps.
public final class NormalEquations {
    /// The widest input: 500 features (a 2 MB X^T X, a few seconds of decomposition).
    public static let maximumFeatures = 500
    /// Rows gathered before one product updates X^T X, at most (the chunk starts at 4
    /// rows and doubles at each product, so a group of a few rows holds a few rows).
    static let chunkRows = 128

    /// The most bytes one accumulator of `featureCount` features holds (X^T X, X^T y and
    /// a full chunk), for callers that cap memory before opening one.
    public static func plannedBytes(featureCount: Int) -> Int {
        let k = max(featureCount, 0)
        return 8 * (k * k + k * (chunkRows + 1)) + 256
    }

    public let featureCount: Int
    public private(set) var rows: Int64 = 0
    private var gram: [Double]
    private var crossProduct: [Double]
    private var targetSum = 0.0
    private var targetSquareSum = 0.0
    private var chunk: [Double]
    private var chunkFill = 0
    private var chunkCapacity = 4

    /// nil when `featureCount` is not in 1...``maximumFeatures``.
    public init?(featureCount: Int) {
        guard featureCount >= 1, featureCount <= Self.maximumFeatures else { return nil }
        self.featureCount = featureCount
        gram = [Double](repeating: 0, count: featureCount * featureCount)
        crossProduct = [Double](repeating: 0, count: featureCount)
        chunk = [Double](repeating: 0, count: featureCount * chunkCapacity)
    }

    /// Adds one row; false (and nothing added) when the row's length is not
    /// `featureCount` or a value is not finite.
    @discardableResult
    public func add(features: UnsafeBufferPointer<Double>, target: Double) -> Bool {
        let k = featureCount
        guard features.count == k, target.isFinite else { return false }
        for value in features where !value.isFinite { return false }
        chunk.withUnsafeMutableBufferPointer { c in
            crossProduct.withUnsafeMutableBufferPointer { xy in
                let base = chunkFill * k
                for j in 0..<k {
                    c[base + j] = features[j]
                    xy[j] += features[j] * target
                }
            }
        }
        targetSum += target
        targetSquareSum += target * target
        rows += 1
        rotations = nil
        decomposed = nil
        chunkFill += 1
        if chunkFill == chunkCapacity {
            flush()
            if chunkCapacity < Self.chunkRows {
                chunkCapacity *= 2
                chunk = [Double](repeating: 0, count: k * chunkCapacity)
            }
        }
        return true
    }

    /// X^T X += C^T C for the gathered chunk C (chunkFill x k).
    private func flush() {
        guard chunkFill > 0 else { return }
        let k = Int32(featureCount)
        let m = Int32(chunkFill)
        chunk.withUnsafeBufferPointer { c in
            gram.withUnsafeMutableBufferPointer { g in
                corgi_gemm(1, 0, k, k, m, 1, c.baseAddress, k, c.baseAddress, k, 1, g.baseAddress, k)
            }
        }
        chunkFill = 0
    }

    /// X^T X so far (row-major k x k, the upper triangle mirrored).
    public func gramMatrix() -> [Double] {
        flush()
        var g = gram
        let k = featureCount
        for i in 0..<k { for j in 0..<i { g[i * k + j] = g[j * k + i] } }
        return g
    }

    /// The decomposition of X^T X in progress (``decompositionStep()``).
    private var rotations: JacobiRotations?
    private var decomposed: SymmetricEigen?

    /// Advances the decomposition of X^T X by a bounded amount of work (a few
    /// milliseconds): true while more is needed. Adding a row afterwards starts it over.
    /// ``solve()`` finishes it in one go when the caller does not step it.
    public func decompositionStep() -> Bool {
        if decomposed != nil { return false }
        if rotations == nil {
            guard rows > 0, let started = JacobiRotations(symmetric: gramMatrix(), n: featureCount) else { return false }
            rotations = started
        }
        guard var current = rotations else { return false }
        rotations = nil  // unique, so the step mutates in place
        if current.step() {
            rotations = current
            return true
        }
        decomposed = SymmetricEigen(current)
        return false
    }

    /// The least-squares fit and its statistics, or nil without rows (or when the
    /// decomposition meets a non-finite sum: an overflow of the inputs' squares).
    public func solve() -> LinearRegressionFit? {
        guard rows > 0 else { return nil }
        while decompositionStep() {}
        guard let eigen = decomposed else { return nil }
        let k = featureCount
        let inverse = eigen.pseudoInverse()
        var coef = [Double](repeating: 0, count: k)
        for i in 0..<k {
            var sum = 0.0
            for j in 0..<k { sum += inverse[i * k + j] * crossProduct[j] }
            coef[i] = sum
        }
        return LinearRegressionFit(
            coef: coef, inverseGram: inverse, crossProduct: crossProduct, targetSum: targetSum,
            targetSquareSum: targetSquareSum, rows: rows, rank: eigen.rank,
            conditionNumber: eigen.conditionNumber.squareRoot())
    }
}

/// An ordinary least-squares fit with MADlib's `linregr` statistics.
///
/// Contract (MADlib's definitions, so a MADlib user reads the same numbers):
/// - `r2` = ESS / TSS with TSS = sum y^2 - (sum y)^2 / n and ESS = coef . X^T y - (sum y)^2 / n,
///   both clamped at 0 and ESS at TSS; 1 when TSS is 0.
/// - the residual variance is (TSS - ESS) / (n - k); `stdErr` = sqrt(variance * (X^T X)^+_ii)
///   (0 if that diagonal is negative), `tStats` = coef / stdErr (0 when both are 0),
///   `pValues` two-sided from Student's t with n - k degrees of freedom,
///   `varianceCovariance` = variance * (X^T X)^+. These four are nil when n <= k.
/// - `conditionNumber` = sqrt(largest / smallest eigenvalue of X^T X): the condition
///   number of X (infinity when X^T X is singular).
/// - `rank` of X^T X (eigenvalues above the pseudo-inverse's cut); a rank below k means
///   the coefficients are the minimum-norm solution.
public struct LinearRegressionFit {
    public let coef: [Double]
    public let r2: Double
    public let stdErr: [Double]?
    public let tStats: [Double]?
    public let pValues: [Double]?
    public let varianceCovariance: [Double]?
    public let conditionNumber: Double
    public let rows: Int64
    public let rank: Int

    init(coef: [Double], inverseGram: [Double], crossProduct: [Double], targetSum: Double,
         targetSquareSum: Double, rows: Int64, rank: Int, conditionNumber: Double) {
        let k = coef.count
        let n = Double(rows)
        self.coef = coef
        self.rows = rows
        self.rank = rank
        self.conditionNumber = conditionNumber
        var explained = -targetSum * targetSum / n
        for j in 0..<k { explained += coef[j] * crossProduct[j] }
        var total = targetSquareSum - targetSum * targetSum / n
        if total < 0 { total = 0 }
        if explained < 0 { explained = 0 }
        if explained > total { explained = total }
        r2 = total == 0 ? 1 : explained / total
        guard rows > Int64(k) else {
            stdErr = nil; tStats = nil; pValues = nil; varianceCovariance = nil
            return
        }
        let degrees = n - Double(k)
        let variance = (total - explained) / degrees
        var errors = [Double](repeating: 0, count: k)
        var statistics = [Double](repeating: 0, count: k)
        var probabilities = [Double](repeating: 0, count: k)
        for i in 0..<k {
            let diagonal = inverseGram[i * k + i]
            errors[i] = diagonal < 0 ? 0 : (variance * diagonal).squareRoot()
            statistics[i] = coef[i] == 0 && errors[i] == 0 ? 0 : coef[i] / errors[i]
            probabilities[i] = Distributions.studentTTwoSided(statistics[i], degreesOfFreedom: degrees)
        }
        stdErr = errors
        tStats = statistics
        pValues = probabilities
        varianceCovariance = inverseGram.map { $0 * variance }
    }

    /// The Breusch-Pagan statistic in Koenker's form, from the fit of the squared
    /// residuals on the same features (a second pass; MADlib's `bp_stats`): n R^2 of that
    /// fit, and its p-value from chi-squared with k - 1 degrees of freedom (nil for k = 1).
    public static func breuschPagan(residualFit: LinearRegressionFit) -> (statistic: Double, pValue: Double?) {
        let statistic = Double(residualFit.rows) * residualFit.r2
        let degrees = residualFit.coef.count - 1
        return (statistic, degrees > 0 ? Distributions.chiSquaredUpperTail(statistic, degreesOfFreedom: Double(degrees)) : nil)
    }
}
