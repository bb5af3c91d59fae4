/// Swift objects that outlive one C call are handed to C as an opaque pointer holding
/// one retain (`Unmanaged.passRetained`). The glue attaches that pointer to a
/// PostgreSQL memory context (`corgi_handle_attach` in `corgi_handle.c`); when the
/// context is reset or deleted (normal end, ERROR, cancel) the callback calls
/// ``corgi_object_release(_:)`` exactly once, so nothing leaks.

/// How many objects C holds right now (made by ``retainedPointer(to:)`` and not yet
/// released). Only the backend's main thread creates and releases handles, so a plain
/// counter is enough; it exists so tests can prove that an ERROR or a cancel leaks
/// nothing.
nonisolated(unsafe) private var heldObjectCount: Int64 = 0

/// Returns a retained opaque pointer to `object` for C to hold.
func retainedPointer(to object: AnyObject) -> UnsafeMutableRawPointer {
    heldObjectCount &+= 1
    return Unmanaged.passRetained(object).toOpaque()
}

/// Borrows the object behind a pointer made by ``retainedPointer(to:)``, or nil if the
/// pointer is nil or of another class.
func borrow<T: AnyObject>(_ pointer: UnsafeMutableRawPointer?, as type: T.Type) -> T? {
    guard let pointer else { return nil }
    return Unmanaged<AnyObject>.fromOpaque(pointer).takeUnretainedValue() as? T
}

/// An object that must let go of resources (a thread) the moment C releases it,
/// rather than whenever its last reference goes away.
protocol ReleasedByGlue: AnyObject {
    func glueWillRelease()
}

/// Drops the retain C held on an object made by ``retainedPointer(to:)``.
/// Called by the glue's memory-context callback. A nil pointer is ignored.
@_cdecl("corgi_object_release")
public func corgi_object_release(_ pointer: UnsafeMutableRawPointer?) {
    guard let pointer else { return }
    heldObjectCount &-= 1
    let object = Unmanaged<AnyObject>.fromOpaque(pointer)
    (object.takeUnretainedValue() as? ReleasedByGlue)?.glueWillRelease()
    object.release()
}

/// The number of Swift objects the C glue holds in this backend (a diagnostic).
@_cdecl("corgi_held_object_count")
public func corgi_held_object_count() -> Int64 {
    heldObjectCount
}
