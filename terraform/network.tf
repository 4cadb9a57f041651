# A VPC of its own over two availability zones (public subnets for the load balancer and the NAT
# gateways, private ones for the tasks and the database), or an existing one given by vpc_id.

locals {
  create_vpc = var.vpc_id == null
  azs        = local.create_vpc ? slice(data.aws_availability_zones.available[0].names, 0, 2) : []
  nat_count  = local.create_vpc ? (var.single_nat_gateway ? 1 : 2) : 0

  vpc_id             = local.create_vpc ? aws_vpc.main[0].id : var.vpc_id
  public_subnet_ids  = local.create_vpc ? aws_subnet.public[*].id : var.public_subnet_ids
  private_subnet_ids = local.create_vpc ? aws_subnet.private[*].id : var.private_subnet_ids

  # Where the load balancer's nodes are (the gateway believes their X-Forwarded-For), and where the
  # tasks are (the services believe the gateway's).
  public_subnet_cidrs  = local.create_vpc ? aws_subnet.public[*].cidr_block : [for id in var.public_subnet_ids : data.aws_subnet.public[id].cidr_block]
  private_subnet_cidrs = local.create_vpc ? aws_subnet.private[*].cidr_block : [for id in var.private_subnet_ids : data.aws_subnet.private[id].cidr_block]
}

data "aws_availability_zones" "available" {
  count = local.create_vpc ? 1 : 0
  state = "available"

  # The region's own zones, not Local or Wavelength Zones.
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

resource "aws_vpc" "main" {
  count                = local.create_vpc ? 1 : 0
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = var.name }
}

# The VPC's default group, which nothing here uses, allows nothing.
resource "aws_default_security_group" "main" {
  count  = local.create_vpc ? 1 : 0
  vpc_id = aws_vpc.main[0].id

  tags = { Name = "${var.name}-default-unused" }
}

resource "aws_internet_gateway" "main" {
  count  = local.create_vpc ? 1 : 0
  vpc_id = aws_vpc.main[0].id

  tags = { Name = var.name }
}

resource "aws_subnet" "public" {
  count             = local.create_vpc ? 2 : 0
  vpc_id            = aws_vpc.main[0].id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  # Only the load balancer and the NAT gateways live here, and they get their addresses themselves.
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-public-${local.azs[count.index]}", Tier = "public" }
}

resource "aws_subnet" "private" {
  count                   = local.create_vpc ? 2 : 0
  vpc_id                  = aws_vpc.main[0].id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 4, count.index + 8)
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-private-${local.azs[count.index]}", Tier = "private" }
}

resource "aws_route_table" "public" {
  count  = local.create_vpc ? 1 : 0
  vpc_id = aws_vpc.main[0].id

  tags = { Name = "${var.name}-public" }
}

resource "aws_route" "public_internet" {
  count                  = local.create_vpc ? 1 : 0
  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.main[0].id
}

resource "aws_route_table_association" "public" {
  count          = local.create_vpc ? 2 : 0
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

# The tasks' way out (to pull images, read secrets, write logs, reach MSG91 and the SMTP server).
resource "aws_eip" "nat" {
  count  = local.nat_count
  domain = "vpc"

  tags       = { Name = "${var.name}-nat-${local.azs[count.index]}" }
  depends_on = [aws_internet_gateway.main]
}

resource "aws_nat_gateway" "main" {
  count         = local.nat_count
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags       = { Name = "${var.name}-${local.azs[count.index]}" }
  depends_on = [aws_internet_gateway.main]
}

resource "aws_route_table" "private" {
  count  = local.create_vpc ? 2 : 0
  vpc_id = aws_vpc.main[0].id

  tags = { Name = "${var.name}-private-${local.azs[count.index]}" }
}

resource "aws_route" "private_nat" {
  count                  = local.create_vpc ? 2 : 0
  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.main[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "private" {
  count          = local.create_vpc ? 2 : 0
  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# An existing VPC's subnets: their ranges, and a check that they are in that VPC.
data "aws_subnet" "public" {
  for_each = toset(local.create_vpc ? [] : var.public_subnet_ids)
  id       = each.value

  lifecycle {
    postcondition {
      condition     = self.vpc_id == var.vpc_id
      error_message = "public_subnet_ids: ${each.value} is not in vpc_id."
    }
  }
}

data "aws_subnet" "private" {
  for_each = toset(local.create_vpc ? [] : var.private_subnet_ids)
  id       = each.value

  lifecycle {
    postcondition {
      condition     = self.vpc_id == var.vpc_id
      error_message = "private_subnet_ids: ${each.value} is not in vpc_id."
    }
    postcondition {
      condition     = !self.map_public_ip_on_launch
      error_message = "private_subnet_ids: ${each.value} gives public addresses to what starts in it; it is not a private subnet."
    }
  }
}
