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

    /// The exact solver `corgi.train(..., params => 'solver=...')` may fit this model with:
    /// `exact` (least squares, ``NormalEquations``) for linear, `irls` (``LogisticIRLS``)
    /// for logistic; nil for the others, which train by SGD only.
    public var exactSolver: String? {
        switch self {
        case .linear: return "exact"
        case .logistic: return "irls"
        case .svm, .softmax, .mlp, .mlpRegression, .svr: return nil
        }
    }

    /// Whether the model is a neural network (``MultilayerPerceptron``).
    public var isNetwork: Bool { self == .mlp || self == .mlpRegression }

    /// The valid names, for error messages.
    public static var validNames: String { allCases.map(\.name).joined(separator: ", ") }
}
