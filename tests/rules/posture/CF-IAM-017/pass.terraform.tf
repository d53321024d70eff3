# The last 24 passwords cannot be reused.
locals {
  password_policy = {
    min_length   = 14
    reuse_window = 24
    max_age_days = 90
  }
}

resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length        = local.password_policy.min_length
  password_reuse_prevention      = local.password_policy.reuse_window
  max_password_age               = local.password_policy.max_age_days
  require_lowercase_characters   = true
  require_uppercase_characters   = true
  require_numbers                = true
  require_symbols                = true
  allow_users_to_change_password = true
}
