import Synchronization

/// Several models learning from one tuple buffer: a fused visit reads, checks, copies
/// and shuffles a segment's rows once, and every member takes its learning step on each
/// row in the same (shuffled) order.
///
/// Contract: each member sees exactly the rows, targets and order it would see with the
/// buffer to itself, in the same calls' worth of rows, so a member's model is bit for bit
/// the model it would train alone on the same buffers (its arithmetic never depends on
/// the other members). The buffer is walked in chunks of ``chunkRows`` rows, each chunk
/// by every member in turn, so the rows a chunk touches are still in the cache for the
/// second and later members. Members must share the row width (checked by ``init``).
final class FanOutLearner: BufferedRowConsumer {
    let members: [any RowLearner]
    let featureCount: Int
    /// The members' outputs summed: an inline step then trains a bounded amount of work.
    let outputs: Int

    /// Rows each member trains before the next member takes the same rows.
    static let chunkRows = 256

    /// When every member is a ``LinearLearner``: the members, and one lane per member
    /// output (its row of weights), whose dot products with a row are computed together
    /// (``laneDots``): independent sums overlap where one model's sum waits on each add.
    private let linearMembers: [LinearLearner]
    private let lanes: UnsafeMutablePointer<UnsafePointer<Double>>?
    // Scratch per part (0: the worker's, 1: the filler's), in blocks of their own: the two
    // threads write them on every row.
    private let dots: [UnsafeMutablePointer<Double>]
    private let rates: [UnsafeMutablePointer<Double>]
    private var allocations: [RawAllocation] = []

    /// Nil when there is no member, the members' row widths differ, or memory cannot be had.
    init?(members: [any RowLearner]) {
        guard let first = members.first, members.allSatisfy({ $0.featureCount == first.featureCount }) else {
            return nil
        }
        self.members = members
        featureCount = first.featureCount
        outputs = members.reduce(0) { $0 &+ $1.outputs }
        let linear = members.compactMap { $0 as? LinearLearner }
        guard linear.count == members.count else {
            linearMembers = []
            lanes = nil; dots = []; rates = []
            return
        }
        var allocations: [RawAllocation] = []
        guard let lanes = RawAllocation.typed(outputs, UnsafePointer<Double>.self, into: &allocations),
            let workerDots = RawAllocation.typed(outputs, Double.self, into: &allocations),
            let fillerDots = RawAllocation.typed(outputs, Double.self, into: &allocations),
            let workerRates = RawAllocation.typed(linear.count, Double.self, into: &allocations),
            let fillerRates = RawAllocation.typed(linear.count, Double.self, into: &allocations)
        else { allocations.forEach { $0.release() }; return nil }
        var lane = 0
        for member in linear {
            for o in 0..<member.outputs { lanes[lane] = member.weightRow(o); lane += 1 }
        }
        linearMembers = linear
        self.lanes = lanes
        dots = [workerDots, fillerDots]
        rates = [workerRates, fillerRates]
        self.allocations = allocations
    }

    deinit { allocations.forEach { $0.release() } }

    /// Members that may train on two threads at once: all of them when every member is a
    /// ``LinearLearner`` (pure Swift); otherwise 1, so the worker trains them all, because
    /// the other learners call OpenBLAS, whose serial build is not safe on two threads.
    var memberCount: Int { linearMembers.isEmpty ? 1 : members.count }

    func learn(members part: Range<Int>, features: UnsafePointer<Double>, targets: UnsafePointer<Double>,
               order: UnsafePointer<UInt32>, range: Range<Int>, count: Int, stop: TrainingWorker?) {
        let part = part.clamped(to: 0..<members.count)
        // The worker's part is a prefix, the filling thread's the rest: one scratch each.
        learn(members: part, scratch: part.lowerBound == 0 ? 0 : 1, features: features, targets: targets, order: order,
              range: range, count: count, stop: stop)
    }

    func learn(features: UnsafePointer<Double>, targets: UnsafePointer<Double>, order: UnsafePointer<UInt32>,
               range: Range<Int>, count: Int, stop: TrainingWorker?) {
        learn(members: 0..<members.count, scratch: 0, features: features, targets: targets, order: order,
              range: range, count: count, stop: stop)
    }

    /// Members `part` train rows `order[range]`; two threads may train disjoint parts of
    /// one buffer at once (each touches only its members, their lanes, dots and rates).
    private func learn(members part: Range<Int>, scratch: Int, features: UnsafePointer<Double>,
                       targets: UnsafePointer<Double>, order: UnsafePointer<UInt32>, range: Range<Int>, count: Int,
                       stop: TrainingWorker?) {
        guard !part.isEmpty else { return }
        if let lanes, scratch < dots.count {
            var firstLane = 0
            for j in 0..<part.lowerBound { firstLane += linearMembers[j].outputs }
            let partRates = rates[scratch], partDots = dots[scratch]
            for (i, j) in part.enumerated() { partRates[i] = linearMembers[j].learningRate }
            let n = featureCount
            let laneCount = part.reduce(0) { $0 + linearMembers[$1].outputs }
            let partLanes = UnsafePointer(lanes + firstLane)
            // Unretained references: the members live as long as this learner, and a
            // retain and release per member and row cost a fifth of a fused visit.
            let members = linearMembers[part].map { Unmanaged.passUnretained($0) }
            let widths = linearMembers[part].map(\.outputs)
            members.withUnsafeBufferPointer { members in
                widths.withUnsafeBufferPointer { widths in
                    forEachBufferedRow(features: features, targets: targets, order: order, range: range, count: count,
                                       featureCount: n, stop: stop) { x, target in
                        FanOutLearner.laneDots(partLanes, laneCount, x, n, partDots)
                        var at = 0
                        for j in 0..<members.count {
                            let rate = partRates[j], slice = partDots + at
                            members[j]._withUnsafeGuaranteedRef {
                                $0.learn(row: x, target: target, learningRate: rate, dots: slice)
                            }
                            at += widths[j]
                        }
                    }
                }
            }
            return
        }
        var start = range.lowerBound
        while start < range.upperBound {
            if let stop, stop.stopRequested.load(ordering: .relaxed) { return }
            let end = min(range.upperBound, start + FanOutLearner.chunkRows)
            for member in members[part] {
                member.learn(features: features, targets: targets, order: order, range: start..<end, count: count,
                             stop: stop)
            }
            start = end
        }
    }

    /// `out[l]` = the dot product of lane `l` with `x` (`n` values), each summed in index
    /// order with its own accumulator exactly as `dot` sums it (so bit for bit the same),
    /// eight or four lanes per sweep so that their additions overlap.
    @inline(__always)
    static func laneDots(_ lanes: UnsafePointer<UnsafePointer<Double>>, _ count: Int, _ x: UnsafePointer<Double>,
                         _ n: Int, _ out: UnsafeMutablePointer<Double>) {
        var l = 0
        while l + 8 <= count {
            let a = lanes[l], b = lanes[l + 1], c = lanes[l + 2], d = lanes[l + 3]
            let e = lanes[l + 4], f = lanes[l + 5], g = lanes[l + 6], h = lanes[l + 7]
            var sa = 0.0, sb = 0.0, sc = 0.0, sd = 0.0, se = 0.0, sf = 0.0, sg = 0.0, sh = 0.0
            for i in 0..<n {
                let xi = x[i]
                sa += a[i] * xi; sb += b[i] * xi; sc += c[i] * xi; sd += d[i] * xi
                se += e[i] * xi; sf += f[i] * xi; sg += g[i] * xi; sh += h[i] * xi
            }
            out[l] = sa; out[l + 1] = sb; out[l + 2] = sc; out[l + 3] = sd
            out[l + 4] = se; out[l + 5] = sf; out[l + 6] = sg; out[l + 7] = sh
            l += 8
        }
        while l + 4 <= count {
            let a = lanes[l], b = lanes[l + 1], c = lanes[l + 2], d = lanes[l + 3]
            var sa = 0.0, sb = 0.0, sc = 0.0, sd = 0.0
            for i in 0..<n {
                let xi = x[i]
                sa += a[i] * xi; sb += b[i] * xi; sc += c[i] * xi; sd += d[i] * xi
            }
            out[l] = sa; out[l + 1] = sb; out[l + 2] = sc; out[l + 3] = sd
            l += 4
        }
        switch count - l {
        case 3:
            let a = lanes[l], b = lanes[l + 1], c = lanes[l + 2]
            var sa = 0.0, sb = 0.0, sc = 0.0
            for i in 0..<n {
                let xi = x[i]
                sa += a[i] * xi; sb += b[i] * xi; sc += c[i] * xi
            }
            out[l] = sa; out[l + 1] = sb; out[l + 2] = sc
        case 2:
            let a = lanes[l], b = lanes[l + 1]
            var sa = 0.0, sb = 0.0
            for i in 0..<n {
                let xi = x[i]
                sa += a[i] * xi; sb += b[i] * xi
            }
            out[l] = sa; out[l + 1] = sb
        case 1:
            out[l] = dot(lanes[l], x, n)
        default:
            break
        }
    }

    func learn(row: UnsafePointer<Double>, target: Double) {
        for member in members { member.learn(row: row, target: target) }
    }

    func endPass() {
        for member in members { member.endPass() }
    }
}
