"""Pipeline analytics and the leadership posts they watch, served from a projection."""
