import CorgiKernels

/// X^T X of rows added one at a time: the rows are gathered in a chunk and the sum grows
/// by one OpenBLAS product per chunk (the chunk starts at 4 rows and doubles up to
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
        let k32 = Int32(k), m = Int32(fill)
        chunk.withUnsafeBufferPointer { c in
            gram.withUnsafeMutableBufferPointer { g in
                corgi_gemm(1, 0, k32, k32, m, 1, c.baseAddress, k32, c.baseAddress, k32, 1, g.baseAddress, k32)
            }
        }
        fill = 0
    }
}

/// The eigen-decomposition of a symmetric matrix made in bounded steps (``JacobiRotations``),
/// for callers that check for interrupts between steps.
struct SteppedDecomposition {
    private var rotations: JacobiRotations?
    private(set) var result: SymmetricEigen?
    private var failed = false

    /// Advances the decomposition of the matrix `source()` gives (asked once); true
    /// while more steps are needed. A non-finite matrix ends it with no result.
    mutating func step(_ source: () -> [Double], n: Int) -> Bool {
        if result != nil || failed { return false }
        if rotations == nil {
            guard let started = JacobiRotations(symmetric: source(), n: n) else {
                failed = true
                return false
            }
            rotations = started
        }
        guard var current = rotations else { return false }
        rotations = nil  // unique, so the step mutates in place
        if current.step() {
            rotations = current
            return true
        }
        result = SymmetricEigen(current)
        return false
    }

    /// Forgets the decomposition (the matrix changed).
    mutating func reset() {
        rotations = nil
        result = nil
        failed = false
    }
}
