/// The eigen-decomposition of a real symmetric matrix, by cyclic Jacobi rotations, and
/// what the exact solvers take from it: a pseudo-inverse and a condition number.
///
/// Contract: float64, row-major n x n input (only its upper triangle is read); the same
/// bits for the same input on every machine (no BLAS, a fixed rotation order); Jacobi is
/// slower than Householder + QL (about 10 n^3 flops per sweep, 6-10 sweeps) but accurate
/// to the last digits for the small eigenvalues too, which the pseudo-inverse and the
/// condition number depend on. Callers bound n (``NormalEquations/maximumFeatures``).
public struct SymmetricEigen {
    /// Eigenvalues, in the order of `vectors`' columns (not sorted).
    public let values: [Double]
    /// Eigenvectors as the columns of a row-major n x n matrix.
    public let vectors: [Double]
    public let n: Int

    /// Decomposes the symmetric matrix `matrix` (row-major, n x n) at once. Answers nil
    /// when the shape is wrong or an entry is not finite.
    public init?(symmetric matrix: [Double], n: Int) {
        guard var rotations = JacobiRotations(symmetric: matrix, n: n) else { return nil }
        while rotations.step() {}
        self.init(rotations)
    }

    /// The decomposition a finished ``JacobiRotations`` holds.
    public init(_ rotations: JacobiRotations) {
        n = rotations.n
        values = (0..<rotations.n).map { rotations.a[$0 * rotations.n + $0] }
        vectors = rotations.v
    }

    /// The largest absolute eigenvalue over the smallest (infinity for a singular matrix):
    /// the condition number MADlib reports for X^T X.
    public var conditionNumber: Double {
        let magnitudes = values.map(abs)
        guard let largest = magnitudes.max(), let smallest = magnitudes.min() else { return .nan }
        if largest == 0 { return .infinity }
        return smallest > 0 ? largest / smallest : .infinity
    }

    /// How many eigenvalues count as nonzero for the pseudo-inverse: above
    /// n * ulp(1) * the largest absolute eigenvalue (numpy's and LAPACK's cut).
    public var cutoff: Double {
        Double(n) * Double.ulpOfOne * (values.map(abs).max() ?? 0)
    }

    /// The rank: eigenvalues above ``cutoff``.
    public var rank: Int { values.filter { abs($0) > cutoff }.count }

    /// The Moore-Penrose pseudo-inverse V diag(1/lambda) V^T over the eigenvalues above
    /// ``cutoff`` (row-major n x n; exactly symmetric).
    public func pseudoInverse() -> [Double] {
        let limit = cutoff
        var inverse = [Double](repeating: 0, count: n * n)
        for e in 0..<n where abs(values[e]) > limit {
            let scale = 1 / values[e]
            for i in 0..<n {
                let vi = vectors[i * n + e] * scale
                if vi == 0 { continue }
                for j in i..<n { inverse[i * n + j] += vi * vectors[j * n + e] }
            }
        }
        for i in 0..<n { for j in 0..<i { inverse[i * n + j] = inverse[j * n + i] } }
        return inverse
    }
}

/// Cyclic Jacobi rotations in steps of bounded work, so that a caller can check for
/// interrupts between steps (about 2 million multiply-adds per step, a few milliseconds).
///
/// Contract: the rotations are applied in the same order whatever the step size (the
/// same bits as one call); at most 64 sweeps; ``step()`` answers false once a sweep
/// rotated nothing (or the 64th sweep ended).
public struct JacobiRotations {
    public let n: Int
    var a: [Double]
    var v: [Double]
    private var p = 0
    private var q = 1
    private var rotatedInSweep = false
    private var sweeps = 0
    private var finished = false
    private let pairsPerStep: Int

    public init?(symmetric matrix: [Double], n: Int) {
        guard n >= 1, matrix.count == n * n, matrix.allSatisfy({ $0.isFinite }) else { return nil }
        self.n = n
        a = matrix
        v = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            v[i * n + i] = 1
            for j in 0..<i { a[i * n + j] = a[j * n + i] }  // mirror the upper triangle
        }
        pairsPerStep = max(1, 2_000_000 / (6 * n))
        finished = n == 1
    }

    /// Applies the next rotations; false when the decomposition is done.
    public mutating func step() -> Bool {
        if finished { return false }
        let n = self.n
        var budget = pairsPerStep
        var p = self.p, q = self.q, rotatedInSweep = self.rotatedInSweep
        var sweeps = self.sweeps, finished = false
        // Move the matrices out (no copy: self lets go of them) while they are rotated.
        var a = self.a, v = self.v
        self.a = []
        self.v = []
        a.withUnsafeMutableBufferPointer { a in
            v.withUnsafeMutableBufferPointer { v in
                while budget > 0 && !finished {
                    budget -= 1
                    if Self.rotate(a, v, n, p, q) { rotatedInSweep = true }
                    q += 1
                    if q == n {
                        p += 1
                        q = p + 1
                        if p == n - 1 {
                            sweeps += 1
                            if !rotatedInSweep || sweeps == 64 { finished = true }
                            p = 0
                            q = 1
                            rotatedInSweep = false
                        }
                    }
                }
            }
        }
        self.a = a
        self.v = v
        self.p = p
        self.q = q
        self.rotatedInSweep = rotatedInSweep
        self.sweeps = sweeps
        self.finished = finished
        return !finished
    }

    /// Zeroes a[p][q] by one rotation (or drops it when negligible); whether it rotated.
    private static func rotate(_ a: UnsafeMutableBufferPointer<Double>, _ v: UnsafeMutableBufferPointer<Double>,
                               _ n: Int, _ p: Int, _ q: Int) -> Bool {
        let apq = a[p * n + q]
        if apq == 0 { return false }
        let app = a[p * n + p], aqq = a[q * n + q]
        // Negligible against both diagonal entries: zero it, no rotation.
        if abs(apq) <= 1e-17 * (abs(app) + abs(aqq)) / 2 && (abs(app) + abs(aqq)) > 0 {
            a[p * n + q] = 0
            a[q * n + p] = 0
            return false
        }
        let theta = (aqq - app) / (2 * apq)
        let t: Double
        if abs(theta) > 1e150 {
            t = 1 / (2 * theta)
        } else {
            t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
        }
        let c = 1 / (t * t + 1).squareRoot()
        let s = t * c
        for k in 0..<n {  // columns p and q: A J
            let akp = a[k * n + p], akq = a[k * n + q]
            a[k * n + p] = c * akp - s * akq
            a[k * n + q] = s * akp + c * akq
        }
        for k in 0..<n {  // rows p and q: J^T (A J)
            let apk = a[p * n + k], aqk = a[q * n + k]
            a[p * n + k] = c * apk - s * aqk
            a[q * n + k] = s * apk + c * aqk
        }
        a[p * n + q] = 0
        a[q * n + p] = 0
        for k in 0..<n {  // V J
            let vkp = v[k * n + p], vkq = v[k * n + q]
            v[k * n + p] = c * vkp - s * vkq
            v[k * n + q] = s * vkp + c * vkq
        }
        return true
    }
}
