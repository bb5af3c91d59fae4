import CorgiKernels

/// The element type of a network's arithmetic: float64 (what a state holds, what
/// prediction and the gradient checks use) or float32 (how ``BatchLearner`` trains a
/// network: its GEMMs and activations run twice as many lanes per instruction). Each
/// type names its matrix product (OpenBLAS, serial) and its activations (CorgiKernels).
///
/// Contract: the functions are deterministic (the same bits for the same inputs on the
/// same CPU) and never trap.
protocol NetworkScalar: BinaryFloatingPoint {
    /// C = alpha op(A) op(B) + beta C, row-major (op = transpose when asked).
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int, beta: Self,
                     c: UnsafeMutablePointer<Self>, ldc: Int)
    static func sigmoid(_ values: UnsafeMutablePointer<Self>, _ count: Int)
    static func tanh(_ values: UnsafeMutablePointer<Self>, _ count: Int)
}

extension Double: NetworkScalar {
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                     a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int, beta: Double,
                     c: UnsafeMutablePointer<Double>, ldc: Int) {
        corgi_gemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
                   Int32(ldb), beta, c, Int32(ldc))
    }
    static func sigmoid(_ values: UnsafeMutablePointer<Double>, _ count: Int) { corgi_sigmoid(values, count) }
    static func tanh(_ values: UnsafeMutablePointer<Double>, _ count: Int) { corgi_tanh(values, count) }
}

extension Float: NetworkScalar {
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
                     c: UnsafeMutablePointer<Float>, ldc: Int) {
        corgi_sgemm(transposeA ? 1 : 0, transposeB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
                    Int32(ldb), beta, c, Int32(ldc))
    }
    static func sigmoid(_ values: UnsafeMutablePointer<Float>, _ count: Int) { corgi_sigmoid_f(values, count) }
    static func tanh(_ values: UnsafeMutablePointer<Float>, _ count: Int) { corgi_tanh_f(values, count) }
}
