#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One block of raw memory owned by a trainer, released explicitly.
///
/// Contract: blocks of at least ``largeBytes`` are mapped straight from the kernel
/// (anonymous `mmap`, 2 MB aligned and advised to use huge pages), so releasing them
/// returns the memory to the system at once: a backend that trained a large buffer, or
/// was cancelled while training, does not keep it in malloc's free lists. Smaller blocks
/// come from `malloc`. Allocation failure answers nil; nothing traps.
struct RawAllocation {
    let pointer: UnsafeMutableRawPointer
    let bytes: Int
    /// The mapping to unmap (it may start before `pointer`, for alignment), or nil for malloc.
    private let mapping: (start: UnsafeMutableRawPointer, length: Int)?

    /// Blocks at least this large are mapped, 2 MB aligned.
    static let largeBytes = 2 << 20
    /// Smaller blocks start on a cache line and fill whole lines.
    static let cacheLineBytes = 64

    /// `bytes` of uninitialised memory (at least 1 byte is allocated), or nil.
    static func allocate(bytes requested: Int) -> RawAllocation? {
        let bytes = max(1, requested)
        guard bytes >= largeBytes else {
            // Whole cache lines: two blocks never share one, so threads that write their
            // own blocks (the members of a fused visit) do not slow each other down.
            let (rounded, overflow) = bytes.addingReportingOverflow(cacheLineBytes - 1)
            guard !overflow, let raw = aligned_alloc(cacheLineBytes, rounded & ~(cacheLineBytes - 1)) else { return nil }
            return RawAllocation(pointer: raw, bytes: bytes, mapping: nil)
        }
        // Over-map by one alignment unit, then keep the aligned part and unmap the rest.
        let (length, overflow) = bytes.addingReportingOverflow(largeBytes)
        guard !overflow else { return nil }
        #if canImport(Glibc)
        let start = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let start, start != MAP_FAILED else { return nil }
        let address = UInt(bitPattern: start)
        let aligned = (address + UInt(largeBytes - 1)) & ~UInt(largeBytes - 1)
        let head = Int(aligned - address)
        let tail = length - head - bytes
        if head > 0 { munmap(start, head) }
        guard let pointer = UnsafeMutableRawPointer(bitPattern: aligned) else { return nil }
        if tail > 0 { munmap(pointer + bytes, tail) }
        // Rows are read in random order: 2 MB pages spare most TLB misses. A hint only.
        _ = madvise(pointer, bytes, MADV_HUGEPAGE)
        return RawAllocation(pointer: pointer, bytes: bytes, mapping: (pointer, bytes))
        #else
        guard let raw = malloc(bytes) else { return nil }
        return RawAllocation(pointer: raw, bytes: bytes, mapping: nil)
        #endif
    }

    /// Gives the memory back. Call exactly once.
    func release() {
        #if canImport(Glibc)
        if let mapping { munmap(mapping.start, mapping.length); return }
        #endif
        free(pointer)
    }
}

extension RawAllocation {
    /// `count` (at least 1) uninitialised values of `T`, with their block appended to
    /// `allocations` so that the owner releases everything it allocated in one place;
    /// nil when the byte count overflows or the memory cannot be had.
    static func typed<T>(_ count: Int, _ type: T.Type, into allocations: inout [RawAllocation]) -> UnsafeMutablePointer<T>? {
        let (bytes, overflow) = max(1, count).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow, let block = RawAllocation.allocate(bytes: bytes) else { return nil }
        allocations.append(block)
        return block.pointer.bindMemory(to: T.self, capacity: max(1, count))
    }
}
