/// Bytes Swift produced for C to copy (a serialized state or model). C holds the blob
/// through a CorgiHandle, copies `corgi_blob_data`/`corgi_blob_size` into a palloc'd
/// `bytea`, then releases it.
final class ByteBlob {
    let bytes: [UInt8]
    init(bytes: [UInt8]) { self.bytes = bytes }
}

/// C: `const uint8_t *corgi_blob_data(void *blob)`; valid until the blob is released.
@_cdecl("corgi_blob_data")
public func corgi_blob_data(_ blob: UnsafeMutableRawPointer?) -> UnsafePointer<UInt8>? {
    guard let blob = borrow(blob, as: ByteBlob.self) else { return nil }
    return blob.bytes.withUnsafeBufferPointer { $0.baseAddress }
}

/// C: `int64_t corgi_blob_size(void *blob)`.
@_cdecl("corgi_blob_size")
public func corgi_blob_size(_ blob: UnsafeMutableRawPointer?) -> Int64 {
    Int64(borrow(blob, as: ByteBlob.self)?.bytes.count ?? 0)
}
