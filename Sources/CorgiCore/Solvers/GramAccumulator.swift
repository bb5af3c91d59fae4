import CorgiKernels

/// X^T X of rows added one at a time: the rows are gathered in a chunk and the sum grows
/// by one OpenBLAS rank-k update (dsyrk, the upper triangle) per chunk (the chunk starts at 4 rows and doubles up to
/// ``maximumChunkRows``, so a group of a few rows holds a few rows).
///
/// Contract: float64; the same rows in the same order give the same bits on the same
/// CPU; only the upper triangle of the product is used (``matrix()`` mirrors it, so the
/// result is exactly symmetric). Never traps: the caller bounds `k`.
struct GramAccumulator {
    static let maximumChunkRows = 128

    let k: Int
    private var gram: [Double]
    private var chunk: [Double]
    private var fill = 0
    private var capacity = 4

    init(k: Int) {
        self.k = k
        gram = [Double](repeating: 0, count: k * k)
        chunk = [Double](repeating: 0, count: k * capacity)
    }

    /// The most bytes an accumulator of width `k` holds (the sum and a full chunk).
    static func plannedBytes(k: Int) -> Int { 8 * (k * k + k * maximumChunkRows) }

    /// Adds `scale * row` x `scale * row`^T.
    mutating func add(_ row: UnsafeBufferPointer<Double>, scale: Double = 1) {
        let k = self.k
        let base = fill * k
        chunk.withUnsafeMutableBufferPointer { c in
            if scale == 1 {
                for j in 0..<k { c[base + j] = row[j] }
            } else {
                for j in 0..<k { c[base + j] = row[j] * scale }
            }
        }
        fill += 1
        if fill == capacity {
            flush()
            if capacity < Self.maximumChunkRows {
                capacity *= 2
                chunk = [Double](repeating: 0, count: k * capacity)
            }
        }
    }

    /// Adds the rows of a block (row-major, `rows` x k) by one product read straight
    /// from the caller's memory (after the rows gathered so far, in order).
    mutating func add(block: UnsafePointer<Double>, rows: Int) {
        guard rows > 0 else { return }
        flush()
        gram.withUnsafeMutableBufferPointer { g in
            corgi_syrk_upper(Int32(k), Int32(rows), block, g.baseAddress)
        }
    }

    /// The sum so far (row-major k x k, exactly symmetric).
    mutating func matrix() -> [Double] {
        flush()
        var g = gram
        for i in 0..<k { for j in 0..<i { g[i * k + j] = g[j * k + i] } }
        return g
    }

    /// Back to zero (the chunk keeps its size).
    mutating func reset() {
        fill = 0
        for i in gram.indices { gram[i] = 0 }
    }

    private mutating func flush() {
        guard fill > 0 else { return }
        let m = Int32(fill)
        chunk.withUnsafeBufferPointer { c in
            gram.withUnsafeMutableBufferPointer { g in
                corgi_syrk_upper(Int32(k), m, c.baseAddress, g.baseAddress)
            }
        }
        fill = 0
    }
}

/// The pseudo-inverse of a symmetric positive semi-definite matrix M (X^T X, a Hessian)
/// and its condition number, made in bounded steps (``JacobiRotations``) for callers that
/// check for interrupts between steps.
///
/// The inverse comes from the *equilibrated* matrix A = D M D, D = diag(1 / sqrt(M_ii)):
/// columns of very different scales (a year next to an intercept) otherwise push the
/// small eigenvalues under the cut and the solve returns the minimum-norm answer of a
/// problem that has a unique one (Longley's data: the coefficients were wrong in the first
/// digit, now equal to statsmodels' to 1e-6, the tests' bound). M^+ = D A^+ D. The condition number is M's
/// own (MADlib's definition), from a second decomposition of M.
struct SteppedDecomposition {
    private var scaledRotations: JacobiRotations?
    private var rawRotations: JacobiRotations?
    private var scale: [Double] = []
    private var scaled: SymmetricEigen?
    private(set) var raw: SymmetricEigen?
    private var failed = false

    /// Whether both decompositions are done.
    var isDone: Bool { scaled != nil && raw != nil }

    /// Advances the decompositions of the matrix `source()` gives (asked once); true
    /// while more steps are needed. A non-finite matrix ends it with no result.
    mutating func step(_ source: () -> [Double], n: Int) -> Bool {
        if isDone || failed { return false }
        if scaledRotations == nil && scaled == nil {
            let m = source()
            guard m.count == n * n, let rawStart = JacobiRotations(symmetric: m, n: n) else {
                failed = true
                return false
            }
            scale = (0..<n).map { m[$0 * n + $0] > 0 ? 1 / m[$0 * n + $0].squareRoot() : 1 }
            var a = m
            for i in 0..<n { for j in 0..<n { a[i * n + j] *= scale[i] * scale[j] } }
            guard let scaledStart = JacobiRotations(symmetric: a, n: n) else {
                failed = true
                return false
            }
            scaledRotations = scaledStart
            rawRotations = rawStart
        }
        if scaled == nil, var current = scaledRotations {
            scaledRotations = nil  // unique, so the step mutates in place
            if current.step() {
                scaledRotations = current
                return true
            }
            scaled = SymmetricEigen(current)
            return true
        }
        if raw == nil, var current = rawRotations {
            rawRotations = nil
            if current.step() {
                rawRotations = current
                return true
            }
            raw = SymmetricEigen(current)
        }
        return !isDone && !failed
    }

    /// M^+ (row-major, exactly symmetric), or nil before the decompositions are done.
    func pseudoInverse() -> [Double]? {
        guard let scaled else { return nil }
        let n = scaled.n
        var inverse = scaled.pseudoInverse()
        for i in 0..<n { for j in 0..<n { inverse[i * n + j] *= scale[i] * scale[j] } }
        return inverse
    }

    /// The rank (of the equilibrated matrix), or 0 before the decompositions are done.
    var rank: Int { scaled?.rank ?? 0 }

    /// sqrt(largest / smallest eigenvalue of M): MADlib's condition_no.
    var conditionNumber: Double { (raw?.conditionNumber ?? .nan).squareRoot() }

    /// Forgets the decompositions (the matrix changed).
    mutating func reset() {
        scaledRotations = nil
        rawRotations = nil
        scaled = nil
        raw = nil
        scale = []
        failed = false
    }
}
