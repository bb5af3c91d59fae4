extension Xoshiro256StarStar {
    /// Shuffles `values` in place by the forward Fisher-Yates rule: step `i` swaps slot
    /// `i` with slot `i + next(below: count - i)`, for `i` in `0..<count - 1` (the draws of
    /// ``IncrementalShuffle``). The one definition of corgi's in-place shuffles (the tuple
    /// buffer's order, the segments' permutation, a segment's block order): the same
    /// seed gives the same order forever. Never traps; 0 or 1 values are left as they are.
    mutating func shuffle<T>(_ values: UnsafeMutableBufferPointer<T>) {
        let count = values.count
        guard count > 1 else { return }
        for i in 0..<(count - 1) {
            let j = i + Int(truncatingIfNeeded: next(below: UInt64(count - i)))
            values.swapAt(i, j)
        }
    }
}
