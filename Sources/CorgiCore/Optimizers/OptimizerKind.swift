/// The update rules a trainer can use (`params => 'optimizer=...'`).
///
/// | optimizer | state kept between updates | default learning_rate |
/// |---|---|---|
/// | sgd | L1 bookkeeping only | 0.1 |
/// | momentum | a velocity per parameter (`momentum`, default 0.9) | 0.01 |
/// | adam | first and second moments per parameter, step count (`beta1` 0.9, `beta2` 0.999, `epsilon` 1e-8) | 0.001 |
///
/// The state is part of the serialized training state, so it survives a hop between
/// segments and the composed path's aggregate.
public enum OptimizerKind: UInt8, CaseIterable, Sendable {
    case sgd = 0
    case momentum = 1
    case adam = 2

    /// The name used in `params`.
    public var name: String {
        switch self {
        case .sgd: return "sgd"
        case .momentum: return "momentum"
        case .adam: return "adam"
        }
    }

    public init?(name: String) {
        guard let kind = OptimizerKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    /// The learning rate when `params` does not give one.
    public var defaultLearningRate: Double {
        switch self {
        case .sgd: return 0.1
        case .momentum: return 0.01
        case .adam: return 0.001
        }
    }

    /// The valid names, for error messages: "sgd, momentum, adam".
    public static var validNames: String { allCases.map(\.name).joined(separator: ", ") }
}
