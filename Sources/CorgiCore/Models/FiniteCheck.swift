/// The one check every feature row passes before it is trained or scored: all values
/// finite (no NaN, no infinity).
public enum FiniteCheck {
    /// The index of the first value of `values` that is NaN or infinite, or nil when all
    /// are finite. The common case (all finite) is one branch-free pass that the compiler
    /// vectorizes: a scalar loop that tested and branched per value cost a third of a
    /// training epoch's row path (28 features per row); the index is looked for only
    /// when a value is bad.
    @inline(__always)
    public static func firstNonFinite(_ values: UnsafeBufferPointer<Double>) -> Int? {
        guard let base = values.baseAddress else { return nil }
        var bad: UInt64 = 0
        for i in 0..<values.count {
            // x - x is +0.0 (all bits zero) for a finite x and NaN for NaN or infinity:
            // a subtraction and an OR per value, which vectorize (a compare and select per
            // value did not, inlined into some callers).
            bad |= (base[i] - base[i]).bitPattern
        }
        guard bad != 0 else { return nil }
        for i in 0..<values.count where !base[i].isFinite { return i }
        return nil
    }
}
