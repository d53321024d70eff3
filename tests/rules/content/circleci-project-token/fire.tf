resource "null_resource" "deploy" {
  triggers = {
    circleci_project_token = "CCIPRJ_fJFvVRnrn8mh0UfwTXyDgt_5017f327e2022fbecccdca2c380ff14ca55951e4"
  }
}
