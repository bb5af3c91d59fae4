/// A grid of training configurations (`corgi.config_grid(model, grid)`, MADlib's
/// generate_model_configs in corgi's params syntax): `'learning_rate=[0.01,0.1], l2=[0,0.0001],
/// seed=7'` gives every combination of the listed values, one params string each.
///
/// Order: the first key varies slowest (2 x 2 above: lr 0.01 with l2 0, lr 0.01 with l2
/// 0.0001, lr 0.1 with l2 0, ...). A value that is itself a list (`hidden_layers`) is
/// written inside the brackets: `hidden_layers=[[32],[64,32]]`. Every configuration is
/// checked with the parser of the model's family, so a bad value fails here, naming the
/// configuration, not halfway through training.
public enum ConfigGrid {
    public struct Failure: Error, Equatable, Sendable {
        public let message: String
        public let hint: String
    }

    /// At most 1,000 configurations: what one `corgi.fit_multiple` call trains.
    public static let maximumConfigurations = 1_000

    /// Keys that belong to the call, shared by all its configurations, never to one
    /// configuration (`corgi.fit_multiple` refuses a configs row that sets one).
    public static let callKeys: Set<String> = ["segments", "segment_offset", "segment_seed", "workers",
                                               "validation_table"]

    /// Why a grid may not have `key`, or nil: a call key, or `solver` (corgi.train's;
    /// model selection trains by SGD).
    static func refusal(ofGridKey key: String) -> Failure? {
        if key == "solver" {
            return Failure(message: "grid key \"solver\" is corgi.train's: corgi.fit_multiple trains by SGD",
                           hint: "Fit one model exactly with corgi.train(..., params => 'solver=exact'), or leave solver out.")
        }
        guard callKeys.contains(key) else { return nil }
        return Failure(message: "grid key \"\(key)\" belongs to the call, not to a configuration",
                       hint: "Pass it in corgi.fit_multiple's params: every configuration shares it.")
    }

    /// The params strings of every configuration, in grid order.
    public static func expand(_ grid: String, family: ModelFamily) -> Result<[String], Failure> {
        var axes: [(key: String, values: [String])] = []
        for item in splitOutsideBrackets(Substring(grid)) {
            let pair = TrainingParameters.trimmed(item)
            if pair.isEmpty { continue }
            guard let equals = pair.firstIndex(of: "=") else {
                return .failure(Failure(message: "grid entry \"\(pair)\" has no value",
                                        hint: "Write the grid as 'key=[v1,v2], key=value'."))
            }
            let key = TrainingParameters.trimmed(pair[..<equals]).lowercased()
            let value = TrainingParameters.trimmed(pair[pair.index(after: equals)...])
            if let refusal = refusal(ofGridKey: key) { return .failure(refusal) }
            guard !axes.contains(where: { $0.key == key }) else {
                return .failure(Failure(message: "grid key \"\(key)\" is given twice", hint: "Give each key once."))
            }
            var values = [value]
            if value.hasPrefix("[") && value.hasSuffix("]") && key != "hidden_layers" || value.hasPrefix("[[") {
                values = splitOutsideBrackets(value.dropFirst().dropLast()).map { TrainingParameters.trimmed($0) }
                guard !values.isEmpty, !values.contains(where: \.isEmpty) else {
                    return .failure(Failure(message: "grid key \"\(key)\" has an empty value list \"\(value)\"",
                                            hint: "List at least one value, e.g. \(key)=[0.01,0.1]."))
                }
            }
            axes.append((key, values))
        }
        var count = 1
        for axis in axes {
            count *= axis.values.count
            guard count <= maximumConfigurations else {
                return .failure(Failure(message: "the grid has more than \(maximumConfigurations) configurations",
                                        hint: "List fewer values."))
            }
        }
        var configurations: [String] = []
        for index in 0..<count {
            var rest = index, parts = [String](repeating: "", count: axes.count)
            for a in stride(from: axes.count - 1, through: 0, by: -1) {
                let values = axes[a].values
                parts[a] = "\(axes[a].key)=\(values[rest % values.count])"
                rest /= values.count
            }
            let params = parts.joined(separator: ", ")
            if case .failure(let f) = TrainingParameters.parse(params, family: family) {
                return .failure(Failure(message: "configuration \(index + 1) (\(params)): \(f.message)", hint: f.hint))
            }
            configurations.append(params)
        }
        return .success(configurations)
    }
}
