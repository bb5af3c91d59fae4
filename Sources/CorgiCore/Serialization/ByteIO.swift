/// Where an encoder writes: a ``ByteCounter`` that only counts (the size) or a
/// ``ByteWriter`` that stores, so one encoding function gives both and they cannot
/// disagree.
protocol ByteSink {
    var offset: Int { get }
    mutating func bytes(_ values: [UInt8])
    mutating func u8(_ v: UInt8)
    mutating func u16(_ v: UInt16)
    mutating func u32(_ v: UInt32)
    mutating func u64(_ v: UInt64)
    mutating func f64(_ v: Double)
    mutating func f64s(_ values: [Double])
}

/// Counts the bytes an encoder would write.
struct ByteCounter: ByteSink {
    private(set) var offset = 0
    mutating func bytes(_ values: [UInt8]) { offset += values.count }
    mutating func u8(_ v: UInt8) { offset += 1 }
    mutating func u16(_ v: UInt16) { offset += 2 }
    mutating func u32(_ v: UInt32) { offset += 4 }
    mutating func u64(_ v: UInt64) { offset += 8 }
    mutating func f64(_ v: Double) { offset += 8 }
    mutating func f64s(_ values: [Double]) { offset += 8 * values.count }
}

/// Little-endian writer into a buffer the caller sized with a ``ByteCounter``.
struct ByteWriter: ByteSink {
    let buffer: UnsafeMutableRawBufferPointer
    private(set) var offset = 0
    init(buffer: UnsafeMutableRawBufferPointer) { self.buffer = buffer }

    mutating func bytes(_ values: [UInt8]) { for b in values { u8(b) } }
    mutating func u8(_ v: UInt8) {
        guard offset < buffer.count else { return }
        buffer[offset] = v; offset += 1
    }
    mutating func u16(_ v: UInt16) { for i in 0..<2 { u8(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { u8(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { u8(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }
    mutating func f64s(_ values: [Double]) { for v in values { f64(v) } }
}

/// Little-endian reader that answers nil instead of reading past the end.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0
    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }
    /// A reader over the next `count` bytes (which this reader skips), or nil past the end.
    mutating func slice(_ count: Int) -> ByteReader? {
        guard count >= 0, count <= bytes.count - offset else { return nil }
        defer { offset += count }
        return ByteReader(bytes: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
    }
    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, count <= bytes.count - offset else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }
    mutating func u8() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }
    mutating func unsigned(_ width: Int) -> UInt64? {
        guard width <= bytes.count - offset else { return nil }
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += width
        return v
    }
    mutating func u16() -> UInt16? { unsigned(2).map { UInt16(truncatingIfNeeded: $0) } }
    mutating func u32() -> UInt32? { unsigned(4).map { UInt32(truncatingIfNeeded: $0) } }
    mutating func u64() -> UInt64? { unsigned(8) }
    mutating func f64() -> Double? { unsigned(8).map { Double(bitPattern: $0) } }
    mutating func f64s(_ count: Int) -> [Double]? {
        guard count >= 0, count <= (bytes.count - offset) / 8 else { return nil }
        var out = [Double](); out.reserveCapacity(count)
        for _ in 0..<count { out.append(f64()!) }
        return out
    }
}
