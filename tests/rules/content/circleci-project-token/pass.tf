resource "null_resource" "deploy" {
  triggers = {
    circleci_project_token = "${CIRCLECI_PROJECT_TOKEN}"
    circleci_project_token_example = "<your-token-here>"
    circleci_project_token_old = "CCIPRJ_fJFvVRnrn8mh0UfwTXyDgt_5017f327"
    circleci_project_token_docs = "CCIPRJ_0000000000000000000000_0000000000000000000000000000000000000000"
  }
}
