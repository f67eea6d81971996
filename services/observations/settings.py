from libs.common.settings import ServiceSettings, service_settings

SERVICE = "observations"


def get_settings() -> ServiceSettings:
    return service_settings(SERVICE)
