/// One pass of ordinary least squares: the sums X^T X (``GramAccumulator``), X^T y,
/// sum y, sum y^2 and the row count, accumulated row by row, then ``solve()``.
///
/// Contract: float64; the features are used as given (a column of ones is the
/// intercept, as in MADlib's `linregr`); the same rows in the same order give the same
/// bits on the same CPU. `featureCount` is at most ``maximumFeatures`` (the k x k
/// decomposition of ``solve()`` is O(k^3)). Non-finite values are the caller's to refuse
/// (``add(features:target:)`` answers false for them and for a wrong length, and adds
/// nothing). Nothing traps.
public final class NormalEquations {
    /// The widest input: 500 features (a 2 MB X^T X, about 3 s of decomposition: the
    /// equilibrated matrix, and X^T X itself for the condition number).
    public static let maximumFeatures = 500

    /// The most bytes one accumulator of `featureCount` features holds (X^T X, X^T y and
    /// a full chunk), for callers that cap memory before opening one.
    public static func plannedBytes(featureCount: Int) -> Int {
        let k = max(featureCount, 0)
        return GramAccumulator.plannedBytes(k: k) + 8 * k + 256
    }

    public let featureCount: Int
    public private(set) var rows: Int64 = 0
    private var gram: GramAccumulator
    private var crossProduct: [Double]
    private var targetSum = 0.0
    private var targetSquareSum = 0.0
    private var decomposition = SteppedDecomposition()

    /// nil when `featureCount` is not in 1...``maximumFeatures``.
    public init?(featureCount: Int) {
        guard featureCount >= 1, featureCount <= Self.maximumFeatures else { return nil }
        self.featureCount = featureCount
        gram = GramAccumulator(k: featureCount)
        crossProduct = [Double](repeating: 0, count: featureCount)
    }

    /// Adds one row; false (and nothing added) when the row's length is not
    /// `featureCount` or a value is not finite. Adding a row after a decomposition
    /// started starts it over.
    @discardableResult
    public func add(features: UnsafeBufferPointer<Double>, target: Double) -> Bool {
        let k = featureCount
        guard features.count == k, target.isFinite else { return false }
        for value in features where !value.isFinite { return false }
        crossProduct.withUnsafeMutableBufferPointer { xy in
            for j in 0..<k { xy[j] += features[j] * target }
        }
        gram.add(features)
        targetSum += target
        targetSquareSum += target * target
        rows += 1
        decomposition.reset()
        return true
    }

    /// Adds `rows` rows at once: `features` row-major (`rows` x `featureCount`), one
    /// target each. All or nothing: false (nothing added) when a value is not finite.
    /// The same sums as adding the rows one by one, up to the order of the additions.
    @discardableResult
    public func add(block features: UnsafePointer<Double>, targets: UnsafePointer<Double>, rows m: Int) -> Bool {
        let k = featureCount
        guard m >= 0 else { return false }
        // Branch-free checks (FiniteCheck): a test and branch per value cost as much as
        // the product of the block.
        guard FiniteCheck.firstNonFinite(UnsafeBufferPointer(start: features, count: m * k)) == nil,
              FiniteCheck.firstNonFinite(UnsafeBufferPointer(start: targets, count: m)) == nil
        else { return false }
        crossProduct.withUnsafeMutableBufferPointer { xy in
            guard let sums = xy.baseAddress else { return }
            Self.addCrossProducts(sums, features, targets, rows: m, k: k)
        }
        for r in 0..<m {
            targetSum += targets[r]
            targetSquareSum += targets[r] * targets[r]
        }
        gram.add(block: features, rows: m)
        rows += Int64(m)
        if m > 0 { decomposition.reset() }
        return true
    }

    /// sums[j] += x[r][j] * y[r] for r in order: eight sums at a time held in a vector
    /// register across the rows (a loop over j per row reloaded and stored every sum per
    /// row, a chain through memory). Each sum sees the same products added in the same
    /// order as the plain loop (a multiply, then an add, per row), so the same bits.
    @inline(__always)
    static func addCrossProducts(_ sums: UnsafeMutablePointer<Double>, _ x: UnsafePointer<Double>,
                                 _ y: UnsafePointer<Double>, rows m: Int, k: Int) {
        let raw = UnsafeRawPointer(x)
        var j = 0
        while j + 8 <= k {
            var acc = UnsafeRawPointer(sums + j).loadUnaligned(as: SIMD8<Double>.self)
            for r in 0..<m {
                let row = raw.loadUnaligned(fromByteOffset: (r * k + j) * 8, as: SIMD8<Double>.self)
                acc = acc + row * SIMD8(repeating: y[r])
            }
            UnsafeMutableRawPointer(sums + j).storeBytes(of: acc, as: SIMD8<Double>.self)
            j += 8
        }
        while j < k {
            var acc = sums[j]
            for r in 0..<m { acc = acc + x[r * k + j] * y[r] }
            sums[j] = acc
            j += 1
        }
    }

    /// X^T X so far (row-major k x k, exactly symmetric).
    public func gramMatrix() -> [Double] { gram.matrix() }

    /// X^T y, sum y and sum y^2 so far.
    public var crossProducts: [Double] { crossProduct }
    public var targetTotal: Double { targetSum }
    public var targetSquareTotal: Double { targetSquareSum }

    /// Advances the decomposition of X^T X by a bounded amount of work (a few
    /// milliseconds): true while more is needed. ``solve()`` finishes it in one go when
    /// the caller does not step it.
    public func decompositionStep() -> Bool {
        guard rows > 0 else { return false }
        return decomposition.step({ gram.matrix() }, n: featureCount)
    }

    /// The least-squares fit and its statistics, or nil without rows (or when the
    /// decomposition meets a non-finite sum: an overflow of the inputs' squares).
    public func solve() -> LinearRegressionFit? {
        guard rows > 0 else { return nil }
        while decompositionStep() {}
        guard let inverse = decomposition.pseudoInverse() else { return nil }
        let k = featureCount
        var coef = [Double](repeating: 0, count: k)
        for i in 0..<k {
            var sum = 0.0
            for j in 0..<k { sum += inverse[i * k + j] * crossProduct[j] }
            coef[i] = sum
        }
        return LinearRegressionFit(
            coef: coef, inverseGram: inverse, gram: gram.matrix(), crossProduct: crossProduct, targetSum: targetSum,
            targetSquareSum: targetSquareSum, rows: rows, rank: decomposition.rank,
            conditionNumber: decomposition.conditionNumber)
    }
}

/// An ordinary least-squares fit with MADlib's `linregr` statistics.
///
/// Contract (MADlib's definitions, so a MADlib user reads the same numbers):
/// - `r2` = ESS / TSS with TSS = sum y^2 - (sum y)^2 / n and ESS = TSS - RSS, RSS the
///   quadratic form y'y - 2 b'X'y + b'X'X b (MADlib's ESS = b'X'y - (sum y)^2 / n in exact
///   arithmetic), clamped at 0 and at TSS; 1 when TSS is 0.
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
    /// TSS - ESS (the clamped sums above): the residual sum of squares.
    public let residualSumOfSquares: Double

    init(coef: [Double], inverseGram: [Double], gram: [Double], crossProduct: [Double], targetSum: Double,
         targetSquareSum: Double, rows: Int64, rank: Int, conditionNumber: Double) {
        let k = coef.count
        let n = Double(rows)
        self.coef = coef
        self.rows = rows
        self.rank = rank
        self.conditionNumber = conditionNumber
        // RSS as the full quadratic form y'y - 2 b'X'y + b'X'X b: an error d in b moves it
        // by d'X'X d only (second order at the optimum), where y'y - b'X'y (MADlib's
        // ESS route) moves by b'X'y's first-order error, which on ill-conditioned data
        // (Longley's) made the standard errors 0.3 % wrong.
        var quadratic = 0.0, linear = 0.0
        for i in 0..<k {
            linear += coef[i] * crossProduct[i]
            var row = 0.0
            for j in 0..<k { row += gram[i * k + j] * coef[j] }
            quadratic += coef[i] * row
        }
        var total = targetSquareSum - targetSum * targetSum / n
        if total < 0 { total = 0 }
        let residual = max(targetSquareSum - 2 * linear + quadratic, 0)
        var explained = total - residual
        if explained < 0 { explained = 0 }
        if explained > total { explained = total }
        r2 = total == 0 ? 1 : explained / total
        residualSumOfSquares = total - explained
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
