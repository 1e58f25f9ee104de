//! The endpoints of the license key API. Each is also the capability an API key needs
//! to call it.

/// One endpoint (and capability) of the license key API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Verify,
    Activate,
    Deactivate,
    AssignAndActivate,
    LicenseKeyDetails,
    AccessDownloadables,
    Download,
    AssignLicenseKey,
    RandomAssign,
    RandomAssignQueued,
    CreateLicenseKeys,
    UpdateLicenseKey,
    DeleteLicenseKey,
    CreateProduct,
    UpdateProduct,
    DeleteProduct,
    CreateLicenseKeyMeta,
    UpdateLicenseKeyMeta,
    DeleteLicenseKeyMeta,
    CreateProductMeta,
    UpdateProductMeta,
    DeleteProductMeta,
    GetAllProducts,
    GetAllGenerators,
    Generate,
    GetLicenseKeys,
    SendTelemetry,
    GetTelemetry,
    AvailableCount,
    CreateContract,
    UpdateContract,
    DeleteContract,
    GetAllContracts,
    ContractInfo,
    ContractGenerate,
    ContractDestroy,
    ContractDestroyAll,
}

impl Endpoint {
    pub const ALL: [Self; 37] = [
        Self::Verify,
        Self::Activate,
        Self::Deactivate,
        Self::AssignAndActivate,
        Self::LicenseKeyDetails,
        Self::AccessDownloadables,
        Self::Download,
        Self::AssignLicenseKey,
        Self::RandomAssign,
        Self::RandomAssignQueued,
        Self::CreateLicenseKeys,
        Self::UpdateLicenseKey,
        Self::DeleteLicenseKey,
        Self::CreateProduct,
        Self::UpdateProduct,
        Self::DeleteProduct,
        Self::CreateLicenseKeyMeta,
        Self::UpdateLicenseKeyMeta,
        Self::DeleteLicenseKeyMeta,
        Self::CreateProductMeta,
        Self::UpdateProductMeta,
        Self::DeleteProductMeta,
        Self::GetAllProducts,
        Self::GetAllGenerators,
        Self::Generate,
        Self::GetLicenseKeys,
        Self::SendTelemetry,
        Self::GetTelemetry,
        Self::AvailableCount,
        Self::CreateContract,
        Self::UpdateContract,
        Self::DeleteContract,
        Self::GetAllContracts,
        Self::ContractInfo,
        Self::ContractGenerate,
        Self::ContractDestroy,
        Self::ContractDestroyAll,
    ];

    /// The capability name: the route under /api/v1/ (the first spelling where there are several).
    pub fn name(self) -> &'static str {
        match self {
            Self::Verify => "verify",
            Self::Activate => "activate",
            Self::Deactivate => "deactivate",
            Self::AssignAndActivate => "assign-and-activate-license-key",
            Self::LicenseKeyDetails => "get-license-key-details",
            Self::AccessDownloadables => "access-downloadables",
            Self::Download => "download",
            Self::AssignLicenseKey => "assign-license-key",
            Self::RandomAssign => "random-assign-license-keys",
            Self::RandomAssignQueued => "random-assign-license-keys-queued",
            Self::CreateLicenseKeys => "create-license-keys",
            Self::UpdateLicenseKey => "update-license-key",
            Self::DeleteLicenseKey => "delete-license-key",
            Self::CreateProduct => "create-product",
            Self::UpdateProduct => "update-product",
            Self::DeleteProduct => "delete-product",
            Self::CreateLicenseKeyMeta => "create-license-key-meta",
            Self::UpdateLicenseKeyMeta => "update-license-key-meta",
            Self::DeleteLicenseKeyMeta => "delete-license-key-meta",
            Self::CreateProductMeta => "create-product-meta",
            Self::UpdateProductMeta => "update-product-meta",
            Self::DeleteProductMeta => "delete-product-meta",
            Self::GetAllProducts => "get-all-products",
            Self::GetAllGenerators => "get-all-generators",
            Self::Generate => "generate",
            Self::GetLicenseKeys => "get-license-keys",
            Self::SendTelemetry => "send-telemetry-date",
            Self::GetTelemetry => "get-telemetry-date",
            Self::AvailableCount => "get-available-license-keys-count",
            Self::CreateContract => "create-contract",
            Self::UpdateContract => "update-contract",
            Self::DeleteContract => "delete-contract",
            Self::GetAllContracts => "get-all-contracts",
            Self::ContractInfo => "contracts/get-info",
            Self::ContractGenerate => "contracts/generate",
            Self::ContractDestroy => "contracts/destroy",
            Self::ContractDestroyAll => "contracts/destroy-all",
        }
    }

    /// Endpoints that judge one license key for a product's client (whose answers the client
    /// checks against its product's public key): their answers are signed with the key's
    /// own product's signing key, whatever product a caller names.
    pub fn judges_a_key(self) -> bool {
        matches!(
            self,
            Self::Verify
                | Self::Activate
                | Self::Deactivate
                | Self::AssignAndActivate
                | Self::LicenseKeyDetails
                | Self::AccessDownloadables
        )
    }

    /// Reads a capability name; the other telemetry spellings are accepted too.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "send-telemetry-data" | "send-telemetry" => Some(Self::SendTelemetry),
            "get-telemetry-data" => Some(Self::GetTelemetry),
            name => Self::ALL.into_iter().find(|e| e.name() == name),
        }
    }
}

/// What an API key may call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capabilities {
    All,
    Only(Vec<Endpoint>),
}

impl Capabilities {
    pub fn allows(&self, endpoint: Endpoint) -> bool {
        match self {
            Self::All => true,
            Self::Only(list) => list.contains(&endpoint),
        }
    }

    /// `*` or a comma-separated list of endpoint names.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim() == "*" {
            return Ok(Self::All);
        }
        text.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| Endpoint::parse(t).ok_or_else(|| t.to_owned()))
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Only)
    }

    pub fn to_text(&self) -> String {
        match self {
            Self::All => "*".into(),
            Self::Only(list) => list.iter().map(|e| e.name()).collect::<Vec<_>>().join(","),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_telemetry_spellings_agree() {
        for endpoint in Endpoint::ALL {
            assert_eq!(Endpoint::parse(endpoint.name()), Some(endpoint));
        }
        assert_eq!(Endpoint::parse("send-telemetry"), Some(Endpoint::SendTelemetry));
        assert_eq!(Endpoint::parse("get-telemetry-data"), Some(Endpoint::GetTelemetry));
        let caps = Capabilities::parse("verify, activate").expect("caps");
        assert!(caps.allows(Endpoint::Verify) && !caps.allows(Endpoint::Deactivate));
        assert_eq!(Capabilities::parse(&caps.to_text()), Ok(caps));
        assert_eq!(Capabilities::parse("verify,dance"), Err("dance".into()));
    }
}
