# The CI role trusts every AWS principal, in any account.
data "aws_iam_policy_document" "ci_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_iam_role" "ci" {
  name               = "ci"
  path               = "/"
  assume_role_policy = data.aws_iam_policy_document.ci_trust.json
}
