#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random search over configurations (`corgi.config_grid(model, grid, search => 'random',
/// n => 20, seed => 1)`, MADlib's generate_model_configs with `search_type='random'` in
/// corgi's params syntax). Each entry of the grid is one of:
///
/// | entry | draws |
/// |---|---|
/// | `key=value` | always that value |
/// | `key=[a, b]` (two numbers) | uniform in [a, b] |
/// | `key=[a, b, log]` | log-uniform in [a, b] (a > 0) |
/// | `key=[a, b, linear]` | uniform in [a, b] |
/// | `key=[v1, v2, v3, ...]` or `key=[[32],[64,32]]` | one of the values, each as likely |
///
/// Whole-number keys (`batch_size`, `seed`) draw whole numbers. Draws come from corgi's own
/// Xoshiro256** seeded by `seed`, key by key in grid order, so a seed gives the same
/// configurations on every server; each is checked by the family's parser.
public enum RandomSearch {
    /// What one grid entry draws.
    enum Axis {
        case fixed(String)
        case choice([String])
        case range(low: Double, high: Double, log: Bool)
    }

    static let wholeNumberKeys: Set<String> = ["batch_size", "seed"]

    private static func logarithm(_ x: Double) -> Double { log(x) }

    /// `n` configurations drawn from `grid` with `seed`.
    public static func draw(_ grid: String, family: ModelFamily, count: Int, seed: Int64)
        -> Result<[String], ConfigGrid.Failure>
    {
        guard count >= 1, count <= ConfigGrid.maximumConfigurations else {
            return .failure(.init(message: "n must be from 1 to \(ConfigGrid.maximumConfigurations), got \(count)",
                                  hint: "Ask for 1 to 1000 configurations."))
        }
        var axes: [(key: String, axis: Axis)] = []
        for item in splitOutsideBrackets(Substring(grid)) {
            let pair = TrainingParameters.trimmed(item)
            if pair.isEmpty { continue }
            guard let equals = pair.firstIndex(of: "=") else {
                return .failure(.init(message: "grid entry \"\(pair)\" has no value",
                                      hint: "Write the grid as 'key=[low, high, log], key=[v1, v2, v3], key=value'."))
            }
            let key = TrainingParameters.trimmed(pair[..<equals]).lowercased()
            let value = TrainingParameters.trimmed(pair[pair.index(after: equals)...])
            if let refusal = ConfigGrid.refusal(ofGridKey: key) {
                return .failure(.init(message: refusal.message, hint: refusal.hint))
            }
            guard !axes.contains(where: { $0.key == key }) else {
                return .failure(.init(message: "grid key \"\(key)\" is given twice", hint: "Give each key once."))
            }
            switch axis(key: key, value: value) {
            case .success(let a): axes.append((key, a))
            case .failure(let f): return .failure(f)
            }
        }
        var generator = Xoshiro256StarStar(seed: UInt64(bitPattern: seed))
        var configurations: [String] = []
        for index in 0..<count {
            var parts: [String] = []
            for (key, axis) in axes {
                let value: String
                switch axis {
                case .fixed(let v): value = v
                case .choice(let values): value = values[Int(generator.next(below: UInt64(values.count)))]
                case .range(let low, let high, let log):
                    let u = generator.nextUnitInterval()
                    var x = log ? exp(logarithm(low) + u * (logarithm(high) - logarithm(low)))
                                : low + u * (high - low)
                    x = min(max(x, low), high)
                    value = wholeNumberKeys.contains(key) ? String(Int64(x.rounded())) : "\(x)"
                }
                parts.append("\(key)=\(value)")
            }
            let params = parts.joined(separator: ", ")
            if case .failure(let f) = TrainingParameters.parse(params, family: family) {
                return .failure(.init(message: "configuration \(index + 1) (\(params)): \(f.message)", hint: f.hint))
            }
            configurations.append(params)
        }
        return .success(configurations)
    }

    static func axis(key: String, value: String) -> Result<Axis, ConfigGrid.Failure> {
        let isList = value.hasPrefix("[") && value.hasSuffix("]") && (key != "hidden_layers" || value.hasPrefix("[["))
        guard isList else { return .success(.fixed(value)) }
        let items = splitOutsideBrackets(value.dropFirst().dropLast()).map { TrainingParameters.trimmed($0) }
        guard !items.isEmpty, !items.contains(where: \.isEmpty) else {
            return .failure(.init(message: "grid key \"\(key)\" has an empty value list \"\(value)\"",
                                  hint: "List values, or a range such as \(key)=[0.0001, 0.1, log]."))
        }
        let scale = items.count == 3 ? items[2].lowercased() : nil
        if items.count == 2 || scale == "log" || scale == "linear", let low = Double(items[0]), let high = Double(items[1]),
           key != "hidden_layers" {
            guard low.isFinite, high.isFinite, low < high else {
                return .failure(.init(message: "grid key \"\(key)\" has the range \(value), whose low end is not below its high end",
                                      hint: "Write \(key)=[low, high] with low < high."))
            }
            if scale == "log" && low <= 0 {
                return .failure(.init(message: "grid key \"\(key)\" has a log range starting at \(items[0])",
                                      hint: "A log-uniform range needs positive ends, e.g. \(key)=[0.0001, 0.1, log]."))
            }
            return .success(.range(low: low, high: high, log: scale == "log"))
        }
        return .success(.choice(items))
    }
}
