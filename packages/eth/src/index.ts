// This package is being built; see its README for what it will hold. It exports nothing yet.
export {}
