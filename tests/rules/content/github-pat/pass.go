package main

const (
	githubPat = "${GITHUB_PAT}"
	githubPatExample = "<your-token-here>"
	githubPatOld = "ghp_T0o0Tqdwtl5CgXWF"
	githubPatDocs = "000_000000000000000000000000000000000000"
)
