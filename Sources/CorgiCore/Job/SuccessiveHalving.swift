/// Successive halving (Jamieson and Talwalkar; the inner loop of Hyperband) over the
/// configs of one `corgi.fit_multiple` call: the configs train in rungs, and after each
/// rung only the best `1/eta` by the validation metric go on, with `eta` times the epochs.
///
/// With `n` configs, a factor `eta` and at most `R` epochs per config, there are `s + 1`
/// rungs, `s = min(floor(log_eta n), floor(log_eta R))`; rung `i` (0-based) trains its
/// configs up to epoch `r_i = floor(R * eta^(i - s))` (at least 1) and keeps
/// `max(1, floor(n_i / eta))` of its `n_i` configs for the next. The last rung trains its
/// survivors to `R`. 27 configs, `eta=3`, `R=27`: rungs end at epochs 1, 3, 9 and 27 with
/// 27, 9, 3 and 1 configs.
///
/// Survivors continue from their state (no config trains an epoch twice), so a
/// survivor's model is its config trained alone for the same epochs.
public struct SuccessiveHalving: Equatable, Sendable {
    /// A rung: train the survivors up to `epoch`, then keep `keep` of them (the last rung
    /// keeps them all).
    public struct Rung: Equatable, Sendable {
        public let epoch: Int
        public let keep: Int
    }

    public let rungs: [Rung]

    /// The schedule for `configs` configs, factor `eta` (2 or more) and `epochs` epochs at
    /// most, with `s + 1` rungs (nil: as many as the configs and epochs allow); nil for a
    /// count or factor out of range.
    public init?(configs: Int, eta: Int, epochs: Int, s fixed: Int? = nil) {
        guard configs >= 1, configs <= TrainingJob.maxTasks, eta >= 2, eta <= 1000, epochs >= 1, epochs <= 1_000_000
        else { return nil }
        let s = fixed ?? min(Self.floorLog(configs, eta), Self.floorLog(epochs, eta))
        guard s >= 0, s <= 64 else { return nil }
        var rungs: [Rung] = []
        var alive = configs
        for i in 0...s {
            // R * eta^(i - s), in integers: R / eta^(s - i).
            var divisor = 1
            for _ in 0..<(s - i) { divisor *= eta }
            let end = i == s ? epochs : max(1, epochs / divisor)
            let keep = i == s ? alive : max(1, alive / eta)
            // A rung that would end where the previous ended trains nothing: merge it.
            if let last = rungs.last, last.epoch >= end {
                rungs[rungs.count - 1] = Rung(epoch: last.epoch, keep: keep)
            } else {
                rungs.append(Rung(epoch: end, keep: keep))
            }
            alive = keep
        }
        self.rungs = rungs
    }

    /// floor(log_base(x)) for x >= 1, in integers.
    static func floorLog(_ x: Int, _ base: Int) -> Int {
        var power = 1, k = 0
        while power <= x / base {
            power *= base
            k += 1
        }
        return k
    }

    /// The configs to keep after a rung, best first by their validation metric (higher
    /// is better for `higherIsBetter`; a missing metric is the worst; ties: the lower
    /// index), as indexes into `metrics`.
    public static func survivors(metrics: [Double?], keep: Int, higherIsBetter: Bool) -> [Int] {
        let ranked = metrics.indices.sorted { a, b in
            switch (metrics[a], metrics[b]) {
            case let (x?, y?) where !x.isNaN && !y.isNaN:
                if x != y { return higherIsBetter ? x > y : x < y }
                return a < b
            case (let x?, _) where !x.isNaN: return true
            case (_, let y?) where !y.isNaN: return false
            default: return a < b
            }
        }
        return Array(ranked.prefix(max(0, keep)))
    }
}

/// Hyperband (Li et al.): brackets of successive halving that trade how many configs
/// start against how few epochs they start with, all at most `R` epochs. With
/// `s_max = floor(log_eta R)`, bracket `s` (from `s_max` down to 0) starts
/// `n_s = ceil((s_max + 1) * eta^s / (s + 1))` configs at `R * eta^-s` epochs and halves
/// them `s` times (MADlib's `hyperband_schedule`). R = 81, eta = 3: brackets of 81, 34,
/// 15, 8 and 5 configs, 143 in all. A call with another number of configs splits them
/// over the brackets in those proportions (largest remainders, at least one each).
public struct Hyperband: Equatable, Sendable {
    public struct Bracket: Equatable, Sendable {
        public let s: Int
        public let configs: Int
        public let halving: SuccessiveHalving
    }

    public let brackets: [Bracket]

    /// The configs all brackets start.
    public var configs: Int { brackets.reduce(0) { $0 + $1.configs } }

    /// Hyperband's brackets for `eta` and `epochs` (R); with `configs`, those configs split
    /// over the brackets in Hyperband's proportions (nil: each bracket its own count).
    public init?(eta: Int, epochs: Int, configs: Int? = nil) {
        guard eta >= 2, eta <= 1000, epochs >= 1, epochs <= 1_000_000 else { return nil }
        let sMax = SuccessiveHalving.floorLog(epochs, eta)
        var counts: [(s: Int, n: Int)] = []
        for s in stride(from: sMax, through: 0, by: -1) {
            var power = 1
            for _ in 0..<s {
                let (next, overflow) = power.multipliedReportingOverflow(by: eta)
                guard !overflow else { return nil }
                power = next
            }
            let (numerator, overflow) = (sMax + 1).multipliedReportingOverflow(by: power)
            guard !overflow else { return nil }
            counts.append((s, (numerator + s) / (s + 1)))      // ceil(numerator / (s + 1))
        }
        if let configs {
            guard configs >= counts.count, configs <= TrainingJob.maxTasks else { return nil }
            counts = Self.apportion(configs, over: counts)
        }
        var brackets: [Bracket] = []
        for (s, n) in counts {
            guard n <= TrainingJob.maxTasks, let halving = SuccessiveHalving(configs: n, eta: eta, epochs: epochs, s: s)
            else { return nil }
            brackets.append(Bracket(s: s, configs: n, halving: halving))
        }
        self.brackets = brackets
    }

    /// The bracket (an index into ``brackets``) of each of the configs they start, in the
    /// configs' order: each config is dealt to the bracket furthest below its share so far
    /// (ties: the earlier bracket), so every bracket gets exactly its count and a run of
    /// configs listed together spreads over the brackets in proportion. A grid lists its
    /// configs model by model: dealt in order, the first model's configs would all start
    /// in the bracket that halves most and the last model's in the one that never halves
    /// (Hyperband draws each bracket's configs at random from one space; dealing is that
    /// draw made even for a list).
    public var configBrackets: [Int] {
        let counts = brackets.map(\.configs)
        let total = counts.reduce(0, +)
        var given = [Int](repeating: 0, count: counts.count)
        var result: [Int] = []
        result.reserveCapacity(total)
        for k in 0..<total {
            var best = -1, bestDeficit = Int.min
            // Exact comparison of counts[b] * (k + 1) / total - given[b], scaled by total.
            for b in counts.indices where given[b] < counts[b] {
                let deficit = counts[b] * (k + 1) - given[b] * total
                if deficit > bestDeficit { best = b; bestDeficit = deficit }
            }
            guard best >= 0 else { break }
            given[best] += 1
            result.append(best)
        }
        return result
    }

    /// `total` split over the brackets in proportion to their counts (largest remainders,
    /// ties: the earlier bracket), then at least one each (taken from the largest).
    static func apportion(_ total: Int, over counts: [(s: Int, n: Int)]) -> [(s: Int, n: Int)] {
        let weight = counts.reduce(0) { $0 + $1.n }
        var shares = counts.map { (s: $0.s, n: total * $0.n / weight, remainder: total * $0.n % weight) }
        var left = total - shares.reduce(0) { $0 + $1.n }
        for i in shares.indices.sorted(by: { shares[$0].remainder > shares[$1].remainder
                                              || (shares[$0].remainder == shares[$1].remainder && $0 < $1) })
        where left > 0 {
            shares[i].n += 1
            left -= 1
        }
        for i in shares.indices where shares[i].n == 0 {
            if let largest = shares.indices.max(by: { shares[$0].n < shares[$1].n }), shares[largest].n > 1 {
                shares[largest].n -= 1
                shares[i].n = 1
            }
        }
        return shares.map { ($0.s, $0.n) }
    }
}

/// The schedule of a `corgi.fit_multiple` call (`schedule => ..., schedule_params => ...`).
public enum TrainingSchedule: Equatable, Sendable {
    /// Every config trains every epoch.
    case grid
    /// ``SuccessiveHalving`` with this factor.
    case successiveHalving(eta: Int)
    /// ``Hyperband`` with this factor.
    case hyperband(eta: Int)

    public struct Failure: Error, Equatable, Sendable {
        public let message: String
        public let hint: String
    }

    /// The schedule named `name` with `params` (`'eta=3'`; empty: the defaults).
    public static func parse(name: String, params: String) -> Result<TrainingSchedule, Failure> {
        var eta = 3
        for item in params.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { TrainingParameters.trimmed($0) }
            if pair.count == 1 && pair[0].isEmpty { continue }
            guard pair.count == 2, pair[0].lowercased() == "eta" else {
                return .failure(Failure(message: "unknown schedule parameter \"\(TrainingParameters.trimmed(item))\"",
                                        hint: "Write schedule_params => 'eta=3' (the factor of successive halving)."))
            }
            guard let value = Int(pair[1]), value >= 2, value <= 1000 else {
                return .failure(Failure(message: "eta must be a whole number from 2 to 1000, got \"\(pair[1])\"",
                                        hint: "Write eta=3: a third of the configs go on after each rung."))
            }
            eta = value
        }
        switch name.lowercased() {
        case "grid":
            if !TrainingParameters.trimmed(Substring(params)).isEmpty {
                return .failure(Failure(message: "schedule grid takes no schedule_params",
                                        hint: "Leave schedule_params out, or use schedule => 'successive_halving' or 'hyperband'."))
            }
            return .success(.grid)
        case "successive_halving": return .success(.successiveHalving(eta: eta))
        case "hyperband": return .success(.hyperband(eta: eta))
        default:
            return .failure(Failure(message: "unknown schedule \"\(name)\"",
                                    hint: "Use grid (every config every epoch), successive_halving or hyperband."))
        }
    }
}
