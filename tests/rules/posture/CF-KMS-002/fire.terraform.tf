# The key policy lets any AWS principal decrypt with the key.
variable "key_users" {
  type    = list(string)
  default = ["*"]
}

data "aws_iam_policy_document" "app_key" {
  statement {
    sid       = "KeyAdmins"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }

  dynamic "statement" {
    for_each = length(var.key_users) > 0 ? [1] : []
    content {
      sid       = "Use"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = ["*"]
      principals {
        type        = "AWS"
        identifiers = var.key_users
      }
    }
  }
}

resource "aws_kms_key" "app" {
  description         = "application data"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.app_key.json
}
