import CorgiABI

/// Fills the `CorgiError` a C caller passed in. This is the only way a Swift export
/// reports failure: it returns the status, and the glue raises the PostgreSQL error
/// after Swift has returned (an `ereport(ERROR)` must never unwind a Swift frame).
///
/// `message` should be lower-case and name the offending value; `hint` says what to
/// change. Both are truncated at a UTF-8 character boundary to fit. Never traps.
@discardableResult
func report(
    _ status: CorgiStatus, _ message: String, hint: String = "",
    into error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let error else { return Int32(status.rawValue) }
    error.pointee.status = Int32(status.rawValue)
    withUnsafeMutableBytes(of: &error.pointee.message) { copyCString(message, into: $0) }
    withUnsafeMutableBytes(of: &error.pointee.hint) { copyCString(hint, into: $0) }
    return Int32(status.rawValue)
}

/// The status a helper already reported into `error`, for returning it from an export.
func reportedStatus(_ error: UnsafeMutablePointer<CorgiError>?) -> Int32 {
    error?.pointee.status ?? Int32(CORGI_DATA_EXCEPTION.rawValue)
}

/// Marks `error` as success and returns `CORGI_OK`.
@discardableResult
func reportSuccess(into error: UnsafeMutablePointer<CorgiError>?) -> Int32 {
    error?.pointee.status = Int32(CORGI_OK.rawValue)
    return Int32(CORGI_OK.rawValue)
}

/// Copies `text` as NUL-terminated UTF-8 into `buffer`, cutting it at a character
/// boundary if it does not fit.
func copyCString(_ text: String, into buffer: UnsafeMutableRawBufferPointer) {
    guard buffer.count > 0 else { return }
    let capacity = buffer.count - 1
    var length = 0
    for scalar in text.unicodeScalars {
        let width = UTF8.width(scalar)
        if length + width > capacity { break }
        length += width
    }
    var written = 0
    for byte in text.utf8 {
        if written == length { break }
        buffer[written] = byte
        written += 1
    }
    buffer[written] = 0
}
