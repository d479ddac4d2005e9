/// A problem with something a user handed the tool: a file, a flag, a matrix.
///
/// Hostile input never traps (Documentation/Conventions.md rule 9): loaders and the command line validate
/// what enters and throw this, naming the file and, where there is one, the line or field.
/// The `description` is the one-line message `clot` prints; `hint`, when present, says how to
/// fix it.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file, folder or flag at fault.
    public var source: String
    /// The 1-based line, when the fault is on one line of a text file.
    public var line: Int?
    public var message: String
    public var hint: String?

    public init(_ source: String, line: Int? = nil, _ message: String, hint: String? = nil) {
        self.source = source
        self.line = line
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var text = source
        if let line { text += ":\(line)" }
        text += ": " + message
        if let hint { text += " (\(hint))" }
        return text
    }
}
