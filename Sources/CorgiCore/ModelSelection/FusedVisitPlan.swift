/// Which models of a model-hopping epoch share their visits (one read of a segment for
/// all of them, ``SGDTrainer/make(fusing:concurrent:reusing:)``), and the segment offsets
/// that make them share.
///
/// A model's visit order is its offset's row of ``ModelHopSchedule``; models with the same
/// offset visit the same segments in the same order, so they can visit together. They
/// fuse when they also see the same rows in the same order (``TrainerSnapshot/fusionMismatch(with:)``:
/// same kind, features, classes, buffer, seed). Fusing never changes a model: each one's
/// result depends only on its offset and seeds, so a config's stored params
/// (`segments, segment_offset, segment_seed`) replay it alone with `corgi.train`.
///
/// Contract: pure functions of their arguments (never of how many workers run); never trap.
public enum FusedVisitPlan {
    /// The fusion class of each model: the index of the first model it may fuse with
    /// (its own index when none before it).
    public static func fusionClasses(_ snapshots: [TrainerSnapshot]) -> [Int] {
        var representatives: [Int] = []
        var classes = [Int](repeating: 0, count: snapshots.count)
        for (m, snapshot) in snapshots.enumerated() {
            if let r = representatives.first(where: { snapshots[$0].fusionMismatch(with: snapshot) == nil }) {
                classes[m] = r
            } else {
                representatives.append(m)
                classes[m] = m
            }
        }
        return classes
    }

    /// The offsets of `classes.count` configs over `segments` segments: the fusion classes
    /// numbered in order of first appearance, class c at offset c mod segments, so that
    /// every config of a class can share every visit. Nil for an index out of range or
    /// fewer than one segment.
    public static func offsets(classes: [Int], segments: Int) -> [Int]? {
        guard segments >= 1, classes.allSatisfy({ $0 >= 0 && $0 < classes.count }) else { return nil }
        var rank: [Int: Int] = [:]
        return classes.map { c in
            if let r = rank[c] { return r % segments }
            rank[c] = rank.count
            return (rank.count - 1) % segments
        }
    }

    /// The visit units of an epoch: the models of one offset and fusion class, dealt in
    /// model order into units of at most `configsPerVisit` (as even as they can be), each
    /// unit trained together at every visit; units numbered in order of first appearance.
    /// Units of one offset visit the segments in the same order, one behind the other.
    /// How models are cut into units never changes a model (each one's visits and seeds
    /// are those of its offset), only how often a segment is read. Nil when the arrays'
    /// lengths differ or `configsPerVisit` is below 1.
    public static func units(classes: [Int], offsets: [Int], configsPerVisit: Int) -> [Int]? {
        guard classes.count == offsets.count, configsPerVisit >= 1 else { return nil }
        struct Place: Hashable { let fusionClass: Int; let offset: Int }
        var members: [Place: [Int]] = [:]
        var places: [Place] = []
        for m in classes.indices {
            let place = Place(fusionClass: classes[m], offset: offsets[m])
            if members[place] == nil { places.append(place) }
            members[place, default: []].append(m)
        }
        var units = [Int](repeating: 0, count: classes.count)
        var next = 0
        for place in places {
            let group = members[place] ?? []
            let count = (group.count + configsPerVisit - 1) / configsPerVisit
            // Even sizes: the first group.count % count units take one more.
            let small = group.count / count, large = group.count % count
            var at = 0
            for u in 0..<count {
                let size = small + (u < large ? 1 : 0)
                for m in group[at..<(at + size)] { units[m] = next + u }
                at += size
            }
            next += count
        }
        return units
    }
}
