/// The models corgi trains with SGD. All are linear in the features: `z = W x + b`.
///
/// | kind | outputs | loss of one row | label accepted |
/// |---|---|---|---|
/// | linear | 1 | `(z - y)^2 / 2` | any finite number |
/// | logistic | 1 | `log(1 + exp(-t z))`, t = +/-1 | -1, 0 or 1 (0 and -1 are the negative class) |
/// | svm | 1 | `max(0, 1 - t z)` | as logistic |
/// | softmax | K | `logsumexp(z) - z_y` | one of the K class values |
/// | svr | 1 | `max(0, abs(z - y) - epsilon)` (``TrainingParameters/svrEpsilon``) | any finite number |
public enum ModelKind: UInt8, CaseIterable, Sendable {
    case linear = 1
    case logistic = 2
    case svm = 3
    case softmax = 4
    case svr = 5

    /// The name used in SQL (`model => 'logistic'`).
    public var name: String {
        switch self {
        case .linear: return "linear"
        case .logistic: return "logistic"
        case .svm: return "svm"
        case .softmax: return "softmax"
        case .svr: return "svr"
        }
    }

    /// Parses a SQL model name (exact, lower-case).
    public init?(name: String) {
        guard let kind = ModelKind.allCases.first(where: { $0.name == name }) else { return nil }
        self = kind
    }

    /// Whether the model predicts a class (its traits' task is not regression).
    public var isClassifier: Bool { traits(classCount: 2).task != .regression }

    /// Training's label rule, the one training and evaluation apply: the target of a raw
    /// label (the value for linear; +1/-1 for logistic and svm, where 1 is positive and
    /// 0 and -1 negative; the class index for softmax, by binary search in the sorted
    /// `classValues`), or nil for a label the model refuses (not finite, another value
    /// for logistic and svm, not a class for softmax).
    @inline(__always)
    public func target(forLabel label: Double, classValues: [Double]) -> Double? {
        guard label.isFinite else { return nil }
        switch self {
        case .linear, .svr: return label
        case .logistic, .svm:
            if label == 1 { return 1 }
            if label == 0 || label == -1 { return -1 }
            return nil
        case .softmax:
            var low = 0, high = classValues.count - 1
            while low <= high {
                let mid = (low + high) / 2
                if classValues[mid] == label { return Double(mid) }
                if classValues[mid] < label { low = mid + 1 } else { high = mid - 1 }
            }
            return nil
        }
    }

    /// The valid names, for error messages: "linear, logistic, svm, softmax, svr".
    public static var validNames: String { allCases.map(\.name).joined(separator: ", ") }
}
