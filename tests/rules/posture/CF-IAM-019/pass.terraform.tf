# The CI role trusts the CI account only.
data "aws_iam_policy_document" "ci_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${var.ci_account_id}:root"]
    }
  }
}

resource "aws_iam_role" "ci" {
  name               = "ci"
  path               = "/"
  assume_role_policy = data.aws_iam_policy_document.ci_trust.json
}

variable "ci_account_id" {
  type    = string
  default = "111122223333"
}
