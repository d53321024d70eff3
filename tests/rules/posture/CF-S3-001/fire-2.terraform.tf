# Provider v3 style: grants written inline on the bucket, one of them to AllUsers.
locals {
  owner_id = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
  grants = [
    { type = "CanonicalUser", id = local.owner_id, uri = null, permissions = ["FULL_CONTROL"] },
    { type = "Group", id = null, uri = "http://acs.amazonaws.com/groups/global/AllUsers", permissions = ["READ"] },
  ]
}

resource "aws_s3_bucket" "downloads" {
  bucket = "acme-downloads"

  dynamic "grant" {
    for_each = local.grants
    content {
      type        = grant.value.type
      id          = grant.value.id
      uri         = grant.value.uri
      permissions = grant.value.permissions
    }
  }

  versioning {
    enabled = true
  }
}
