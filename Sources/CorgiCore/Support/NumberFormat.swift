/// Numbers in error messages, spelled as PostgreSQL prints float8: `2`, `0.5`,
/// `NaN`, `Infinity`, `-Infinity` (not Swift's `2.0`, `nan`, `inf`).
public enum NumberFormat {
    public static func sql(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
