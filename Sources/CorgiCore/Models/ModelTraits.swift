/// What a model is for, as the glue needs to know it: the C glue and the SQL branch on
/// these (SQL through `corgi.model_traits(model)`), never on a model's kind or name, so a
/// new output layer says its traits here and neither has a silent default for it.
///
/// | kind | task | outputs | probabilities | ranks (AUC) |
/// |---|---|---|---|---|
/// | linear | regression | 1 | none | no |
/// | logistic | binary | 1 | 2 | yes |
/// | svm | binary | 1 | none | yes |
/// | softmax | multiclass | K | K | no |
/// | svr | regression | 1 | none | no |
public struct ModelTraits: Equatable, Sendable {
    /// What a model predicts, and with it which metrics apply: squared error, RMSE and R2
    /// for a number; accuracy for a class (and an AUC where one score ranks two classes).
    public enum Task: Int32, Sendable {
        case regression = 1
        case binary = 2
        case multiclass = 3
    }

    public let task: Task
    /// Scores per row (`corgi.model_scores`): 1, or one per class.
    public let outputs: Int
    /// Probabilities per row (`predict_proba`); 0 when the model gives none.
    public let probabilityOutputs: Int
    /// Whether the score ranks the positive class, so that an AUC is defined.
    public let ranksScores: Bool

    /// Whether the model predicts a class (a label), not a number.
    public var predictsLabels: Bool { task != .regression }
}

extension ModelKind {
    /// This output layer's traits, with `classCount` classes (softmax).
    public func traits(classCount: Int) -> ModelTraits {
        switch self {
        case .linear, .svr: return ModelTraits(task: .regression, outputs: 1, probabilityOutputs: 0, ranksScores: false)
        case .logistic: return ModelTraits(task: .binary, outputs: 1, probabilityOutputs: 2, ranksScores: true)
        case .svm: return ModelTraits(task: .binary, outputs: 1, probabilityOutputs: 0, ranksScores: true)
        case .softmax:
            return ModelTraits(task: .multiclass, outputs: classCount, probabilityOutputs: classCount, ranksScores: false)
        }
    }
}
