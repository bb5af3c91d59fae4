/// The models a user names (`model => '...'` in SQL): the one list every layer reads.
///
/// | family | architecture | output layer (``ModelKind``) | labels |
/// |---|---|---|---|
/// | linear | linear | linear | a number |
/// | logistic | linear | logistic | boolean, 0/1, -1/+1 |
/// | svm | linear | svm | as logistic |
/// | softmax | linear | softmax | integer or text classes |
/// | mlp | network | softmax | as softmax (any number of classes, two included) |
/// | mlp_regression | network | linear | a number |
/// | svr | linear | svr (epsilon-insensitive) | a number |
public enum ModelFamily: String, CaseIterable, Sendable {
    case linear, logistic, svm, softmax, mlp
    case mlpRegression = "mlp_regression"
    case svr

    /// The SQL name.
    public var name: String { rawValue }

    public init?(name: String) { self.init(rawValue: name) }

    /// The output layer and loss.
    public var objective: ModelKind {
        switch self {
        case .linear, .mlpRegression: return .linear
        case .logistic: return .logistic
        case .svm: return .svm
        case .softmax, .mlp: return .softmax
        case .svr: return .svr
        }
    }

    /// Whether the model is a neural network (``MultilayerPerceptron``).
    public var isNetwork: Bool { self == .mlp || self == .mlpRegression }

    /// The valid names, for error messages.
    public static var validNames: String { allCases.map(\.name).joined(separator: ", ") }
}
