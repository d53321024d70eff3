package main

const (
	gitlabCiJobToken = "${GITLAB_CI_JOB_TOKEN}"
	gitlabCiJobTokenExample = "<your-token-here>"
	gitlabCiJobTokenOld = "glcbt-8_xCG0dVPHx"
	gitlabCiJobTokenDocs = "glcbt-0_0000000000-000000000"
)
