import CorgiABI
import CorgiCore

// MARK: - Kernel feature maps (corgi_kernel_features.c: corgi.kernel_features)

final class KernelMapBox {
    let map: KernelFeatureMap
    init(_ map: KernelFeatureMap) { self.map = map }
}

/// C: `int32_t corgi_kernel_map_open(const char *kernel, const char *params, int32_t input_count,
/// void **map_out, CorgiError *error)`: the map (``KernelFeatureMap``) in `*map_out`.
@_cdecl("corgi_kernel_map_open")
public func corgi_kernel_map_open(
    _ kernel: UnsafePointer<CChar>?, _ params: UnsafePointer<CChar>?, _ inputCount: Int32,
    _ mapOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ error: UnsafeMutablePointer<CorgiError>?
) -> Int32 {
    guard let kernel, let params, let mapOut else { return report(CORGI_INTERNAL, "corgi_kernel_map_open: null argument", into: error) }
    mapOut.pointee = nil
    switch KernelFeatureMap.make(kernel: String(cString: kernel), params: String(cString: params), inputCount: Int(inputCount)) {
    case .failure(let f): return report(CORGI_INVALID_ARGUMENT, f.message, hint: f.hint, into: error)
    case .success(let map):
        mapOut.pointee = retainedPointer(to: KernelMapBox(map))
        return reportSuccess(into: error)
    }
}

/// C: `int64_t corgi_kernel_map_planned_bytes(const char *kernel, const char *params, int32_t input_count,
/// CorgiError *error)`: the most bytes that map holds (``KernelFeatureMap/plannedBytes``), or
/// -1 with the error of its parameters.
@_cdecl("corgi_kernel_map_planned_bytes")
public func corgi_kernel_map_planned_bytes(
    _ kernel: UnsafePointer<CChar>?, _ params: UnsafePointer<CChar>?, _ inputCount: Int32,
    _ error: UnsafeMutablePointer<CorgiError>?
) -> Int64 {
    guard let kernel, let params else { report(CORGI_INTERNAL, "corgi_kernel_map_planned_bytes: null argument", into: error); return -1 }
    switch KernelFeatureMap.plannedBytes(kernel: String(cString: kernel), params: String(cString: params), inputCount: Int(inputCount)) {
    case .failure(let f):
        report(CORGI_INVALID_ARGUMENT, f.message, hint: f.hint, into: error)
        return -1
    case .success(let bytes):
        reportSuccess(into: error)
        return Int64(bytes)
    }
}

/// C: `int32_t corgi_kernel_map_components(void *map)`: the mapped width (0 for an invalid handle).
@_cdecl("corgi_kernel_map_components")
public func corgi_kernel_map_components(_ map: UnsafeMutableRawPointer?) -> Int32 {
    Int32(borrow(map, as: KernelMapBox.self)?.map.components ?? 0)
}

/// C: `int32_t corgi_kernel_map_apply(void *map, const double *x, int32_t count, double *out,
/// int32_t out_count)`: 1 when `x` (count values) was mapped into `out`, 0 for another width.
@_cdecl("corgi_kernel_map_apply")
public func corgi_kernel_map_apply(
    _ map: UnsafeMutableRawPointer?, _ x: UnsafePointer<Double>?, _ count: Int32, _ out: UnsafeMutablePointer<Double>?,
    _ outCount: Int32
) -> Int32 {
    guard let box = borrow(map, as: KernelMapBox.self), let x, let out, count >= 0, outCount >= 0 else { return 0 }
    return box.map.map(UnsafeBufferPointer(start: x, count: Int(count)),
                       into: UnsafeMutableBufferPointer(start: out, count: Int(outCount))) ? 1 : 0
}
