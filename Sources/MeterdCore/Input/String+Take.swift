extension String {
    /// The string, leaving an empty one (no allocation) in its place: a move out of a field.
    @inline(__always)
    mutating func take() -> String {
        var taken = ""
        swap(&taken, &self)
        return taken
    }
}
