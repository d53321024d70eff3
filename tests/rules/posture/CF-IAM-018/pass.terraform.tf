# Passwords need all four character classes.
variable "require_symbols" {
  type    = bool
  default = true
}

resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length        = 14
  password_reuse_prevention      = 24
  max_password_age               = 90
  require_lowercase_characters   = true
  require_uppercase_characters   = true
  require_numbers                = true
  require_symbols                = var.require_symbols
  allow_users_to_change_password = true
}
